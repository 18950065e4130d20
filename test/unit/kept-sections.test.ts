import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keepSections } from '../../bench/kept-sections';

describe('kept sections of generated docs', () => {
  const kept = '<!-- kept:web-bundle -->\n## Bundle\n18 kB\n<!-- /kept:web-bundle -->\n';

  it('when the old page has a kept section, then the regenerated page ends with it', () => {
    assert.equal(keepSections(`# Old\n\n${kept}`, '# New\n'), `# New\n\n${kept}`);
  });

  it('when the new text already has the section, then it is replaced in place, not duplicated', () => {
    const next = '# New\n<!-- kept:web-bundle -->\nstale\n<!-- /kept:web-bundle -->\n## After\n';
    assert.equal(keepSections(kept, next), `# New\n${kept}## After\n`);
  });

  it('when there is no old page or no kept section, then the new text is unchanged', () => {
    assert.equal(keepSections(null, '# New\n'), '# New\n');
    assert.equal(keepSections('# Old\n', '# New\n'), '# New\n');
  });
});
