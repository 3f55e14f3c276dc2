import path from 'node:path';
import ejs from 'ejs';

export interface DevIdpPages {
  /** Renders views/dev-idp/<page>.ejs inside the provider's layout. */
  render(page: string, locals: Record<string, unknown>): Promise<string>;
}

export function createPages(viewsDir: string, common: Record<string, unknown>): DevIdpPages {
  const layout = path.join(viewsDir, 'dev-idp', 'layout.ejs');
  return {
    render: (page, locals) => ejs.renderFile(layout, { ...common, ...locals, page: `./${page}.ejs` }),
  };
}
