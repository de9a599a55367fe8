// A prompt template: a system and a user message with `{{variable}}` fields, and the library that ships with the page.

export interface PromptTemplate {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly system: string;
  readonly user: string;
  /** Example values, shown in the form until the user types their own. */
  readonly examples: Readonly<Record<string, string>>;
}

const SAMPLE_EMAIL = `Subject: Urgent: Smart Assistant fails to start

Dear support team,

I am Wei Zhang from Tongyi Tech (user ID 12345). I use Smart Assistant version V3.1.8 and am writing about a problem that is holding up our work.

Since yesterday afternoon the application hangs on its start-up screen. It shows error code ERR-2007 with the message "Database connection failed", and none of its features can be used.

Our server runs Windows 10 version 1909, 64-bit. I have already restarted the system and completely uninstalled and reinstalled the application, but the problem remains. Screenshots of the error and the system logs are attached.

I look forward to your quick reply.`;

/** Model Studio's own text-generation example first, then the uses its overview names. */
export const BUILTIN_TEMPLATES: readonly PromptTemplate[] = [
  {
    id: 'extract-customer-email',
    title: 'Extract details from a customer email',
    description: "Model Studio's text-generation example: pull the facts support needs out of a customer's email.",
    system: 'You are a helpful assistant.',
    user: `Extract the following from this customer feedback email: 1. customer information 2. software version 3. error code 4. problem description 5. operating system 6. other relevant details
------------
Email:
{{email}}`,
    examples: { email: SAMPLE_EMAIL },
  },
  {
    id: 'product-description',
    title: 'Product description',
    description: 'Content creation: a product page text from its name and features.',
    system: 'You are a copywriter for an online shop. You write clear, truthful product descriptions.',
    user: 'Write a product description of about {{length}} words for {{product}}, aimed at {{audience}}. Features: {{features}}',
    examples: { length: '80', product: 'a stainless steel travel mug', audience: 'commuters', features: 'keeps drinks hot for 6 hours, leak-proof lid, fits car cup holders' },
  },
  {
    id: 'news-summary',
    title: 'News summary',
    description: 'Summarization: the core of a long article in a few sentences.',
    system: 'You are an editor who summarizes news accurately and without opinion.',
    user: 'Summarize this article in {{sentences}} sentences, keeping names, numbers and dates:\n\n{{article}}',
    examples: { sentences: '3', article: 'Paste the article here.' },
  },
  {
    id: 'translation',
    title: 'Translation',
    description: 'Text translation between languages, keeping tone and formatting.',
    system: 'You are a professional translator. Reply with the translation only.',
    user: 'Translate the following text from {{source language}} into {{target language}}, keeping its tone and formatting:\n\n{{text}}',
    examples: { 'source language': 'English', 'target language': 'French', text: 'Our office will be closed on Monday for the public holiday.' },
  },
  {
    id: 'customer-service-reply',
    title: 'Customer-service reply',
    description: 'Customer service: a polite, concrete answer to a customer message.',
    system: 'You are a friendly customer-service agent for {{company}}. Answer politely, concretely and briefly; never promise what the policy does not allow.',
    user: 'Policy: {{policy}}\n\nCustomer message: {{message}}\n\nWrite the reply.',
    examples: { company: 'an online bookshop', policy: 'Returns are accepted within 30 days with the receipt.', message: 'I bought a book 10 days ago and it arrived damaged. What can I do?' },
  },
  {
    id: 'contract-outline',
    title: 'Contract outline',
    description: 'Legal drafting: the framework of a contract, to be reviewed by a lawyer.',
    system: 'You draft contract outlines for review by a qualified lawyer. Mark every point that needs legal review.',
    user: 'Draft the outline of a {{contract type}} between {{party a}} and {{party b}} under the law of {{jurisdiction}}. Key terms: {{terms}}',
    examples: { 'contract type': 'software development agreement', 'party a': 'a retail company', 'party b': 'a freelance developer', jurisdiction: 'Singapore', terms: 'fixed price, three milestones, source code owned by the client' },
  },
];
