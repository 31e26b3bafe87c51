import type { Root, RootContent } from 'mdast';
import { createHandlebars, templateContext, textCompileOptions } from '../../../ir/handlebars.js';
import type { IrGraph } from '../../../ir/types.js';
import type { LoadedDoc } from '../../load/loaded-doc.js';
import type { TemplateDocData } from '../../model/specs.js';
import { usersOf, type DocsContext } from './docs-context.js';
import { none, scalar, sortedEntries, yesNo } from './format.js';
import { graphPage } from './links.js';
import {
  code,
  heading,
  inlineCode,
  joinInline,
  markdownBlocks,
  page,
  paragraph,
  strong,
  table,
} from '../../../common/markdown/mdast-builders.js';

const hbs = createHandlebars();

/**
 * A Template's page: channel and subject, the variables it takes, a preview rendered with the
 * variables' `example` values (and the first runbook that sends it, for `runbook` and `inputs`),
 * and the raw source.
 */
export function templatePage(ctx: DocsContext, doc: LoadedDoc, data: TemplateDocData): Root {
  const meta = data.metadata;
  const users = usersOf(ctx, 'Template', meta.name);
  const body = doc.body?.text ?? '';
  const context = previewContext(ctx, data, users[0]);
  const lang = previewLang(doc.file.path);
  return page([
    heading(1, meta.title ?? meta.name),
    ...markdownBlocks(meta.description),
    factsTable(ctx, data, doc),
    paragraph(
      strong('Sent by:'),
      ' ',
      users.length ? joinInline(users.map((g) => ctx.links.to(graphPage(g), g.title))) : 'no runbook yet',
    ),
    ...variablesSection(data),
    heading(2, 'Preview'),
    paragraph(
      'Rendered with the example values',
      users[0] ? [' as sent by ', inlineCode(users[0].name)] : '',
      ' (inputs without a default show as ',
      inlineCode('<name>'),
      ').',
    ),
    ...(data.subject !== undefined
      ? [paragraph(strong('Subject:'), ' ', inlineCode(render(data.subject, context)))]
      : []),
    code(lang, render(body, context)),
    heading(2, 'Source'),
    code('handlebars', body),
  ]);
}

function factsTable(ctx: DocsContext, data: TemplateDocData, doc: LoadedDoc): RootContent {
  return table(
    ['Fact', 'Value'],
    [
      ['Name', inlineCode(data.metadata.name)],
      ['Channel', data.channel],
      ['Subject', data.subject !== undefined ? inlineCode(data.subject) : none],
      ['Default audience', data.audience?.length ? joinInline(data.audience.map((a) => inlineCode(a))) : none],
      ['Customer facing', yesNo(data.customerFacing)],
      ['Source', ctx.links.file(doc.file.path, inlineCode(doc.file.path))],
    ],
  );
}

function variablesSection(data: TemplateDocData): RootContent[] {
  const vars = sortedEntries(data.variables);
  if (!vars.length) return [];
  return [
    heading(2, 'Variables'),
    table(
      ['Name', 'Required', 'Description', 'Example'],
      vars.map(([name, v]) => [
        inlineCode(name),
        yesNo(v?.required),
        v?.description ?? none,
        v?.example === undefined ? none : inlineCode(scalar(v.example)),
      ]),
    ),
  ];
}

function previewContext(ctx: DocsContext, data: TemplateDocData, sender: IrGraph | undefined): Record<string, unknown> {
  return templateContext({
    variables: data.variables,
    ...(sender ? { runbook: { name: sender.name, title: sender.title }, inputs: sender.inputs } : {}),
    ...(ctx.directory ? { directory: ctx.directory } : {}),
  });
}

/** The preview's fence language from the inner extension (`alert.md.hbs` → markdown), else text. */
function previewLang(path: string): string {
  const inner = /\.([a-z0-9]+)\.hbs$/i.exec(path)?.[1]?.toLowerCase();
  const known: Record<string, string> = {
    md: 'markdown',
    markdown: 'markdown',
    json: 'json',
    html: 'html',
    txt: 'text',
  };
  return (inner && known[inner]) ?? 'text';
}

/** Renders for the preview; a template that fails at render time shows the error instead. */
function render(template: string, context: Record<string, unknown>): string {
  try {
    return hbs.compile(template, textCompileOptions)(context);
  } catch (e) {
    return `(could not render: ${(e as Error).message.split('\n')[0]})`;
  }
}
