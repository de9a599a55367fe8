// The Playground's saved prompt templates under the OpenAI-compatible bases: each caller lists, saves and deletes its own.
import { Hono } from 'hono';
import { z } from 'zod';
import { MethodNotAllowedError, RouteNotFoundError } from '../core/errors.js';
import type { PromptTemplateRecord, TemplateStore } from '../core/store.js';
import { unixSeconds as seconds } from '../lib/unix-seconds.js';
import type { AppEnv } from './app-env.js';
import { parseJsonBody } from './read-json-body.js';
import { requestOwner as owner } from './request-owner.js';

/** A message of a template: room for a long document pasted into it, not for a database's worth. */
export const MAX_TEMPLATE_TEXT = 65_536;

const saveSchema = z.strictObject({
  name: z.string().trim().min(1, "'name' must not be empty.").max(100, "'name' must be at most 100 characters."),
  system: z.string().max(MAX_TEMPLATE_TEXT, `'system' must be at most ${MAX_TEMPLATE_TEXT} characters.`).nullish(),
  user: z.string().min(1, "'user' must not be empty.").max(MAX_TEMPLATE_TEXT, `'user' must be at most ${MAX_TEMPLATE_TEXT} characters.`),
});

function templateJson(record: PromptTemplateRecord): object {
  return {
    object: 'prompt_template',
    id: record.id,
    name: record.name,
    system: record.system ?? null,
    user: record.user,
    created_at: seconds(record.createdAt),
    updated_at: seconds(record.updatedAt),
  };
}

/** `GET`/`POST /playground/templates` and `DELETE /playground/templates/:id`; saving a name that exists replaces that template. */
export function templateRoutes(templates: TemplateStore): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/playground/templates', async (c) => c.json({ object: 'list', data: (await templates.list(owner(c))).map(templateJson) }));

  routes.post('/playground/templates', async (c) => {
    const input = await parseJsonBody(c, saveSchema);
    const saved = await templates.save(owner(c), { name: input.name, user: input.user, ...(input.system == null || input.system === '' ? {} : { system: input.system }) });
    return c.json(templateJson(saved));
  });

  routes.delete('/playground/templates/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await templates.delete(owner(c), id))) throw new RouteNotFoundError(`No template of yours has the id '${id}'.`);
    return c.json({ object: 'prompt_template.deleted', id, deleted: true });
  });

  for (const [path, allowed] of [['/playground/templates', ['GET', 'POST']], ['/playground/templates/:id', ['DELETE']]] as const) {
    routes.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, allowed);
    });
  }
  return routes;
}
