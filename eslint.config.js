// Lint rules, including the import arrows of DESIGN.md: inner layers never import outer ones.
import tseslint from 'typescript-eslint';

/** A rule entry forbidding imports of the named top-level folders of src/. */
function forbid(folders, why) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: [{ regex: `^(\\.{1,2}/)+(${folders.join('|')})/`, message: why }] },
    ],
  };
}

const layers = [
  { files: ['src/lib/**'], rules: forbid(['core', 'engines', 'protocols', 'store', 'http', 'config', 'cli'], 'lib/ imports nothing of ours.') },
  { files: ['src/core/**'], rules: forbid(['engines', 'protocols', 'store', 'http', 'config', 'cli'], 'core/ may import only lib/.') },
  { files: ['src/engines/llama/**'], rules: forbid(['upstream', 'protocols', 'store', 'http', 'config', 'cli'], 'an engine imports only core/ and lib/.') },
  { files: ['src/engines/upstream/**'], rules: forbid(['llama', 'protocols', 'store', 'http', 'config', 'cli'], 'an engine imports only core/ and lib/.') },
  { files: ['src/engines/router.ts'], rules: forbid(['llama', 'upstream', 'protocols', 'store', 'http', 'config', 'cli'], 'the router knows engines only through core/.') },
  { files: ['src/protocols/openai/**'], rules: forbid(['dashscope', 'engines', 'store', 'http', 'config', 'cli'], 'a wire format imports only core/ and lib/.') },
  { files: ['src/protocols/dashscope/**'], rules: forbid(['openai', 'engines', 'store', 'http', 'config', 'cli'], 'a wire format imports only core/ and lib/.') },
  { files: ['src/store/**'], rules: forbid(['engines', 'protocols', 'http', 'config', 'cli'], 'the store imports only core/ and lib/.') },
  { files: ['src/batch/**'], rules: forbid(['engines', 'protocols', 'store', 'http', 'config', 'cli'], 'the batch runner imports only core/ and lib/; cli/serve wires it.') },
  { files: ['src/http/**'], rules: forbid(['engines', 'store', 'batch', 'config', 'cli'], 'http/ never imports a concrete engine or store; cli/serve wires them.') },
  { files: ['src/config/**'], rules: forbid(['core', 'engines', 'protocols', 'store', 'http', 'cli'], 'config/ imports only lib/.') },
  { files: ['web/**'], rules: forbid(['src', 'test'], 'web/ reaches Studio only through its HTTP API.') },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', 'web/dist/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...layers,
  {
    files: ['src/**'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only src/config/ reads process.env.' },
      ],
    },
  },
);
