"""Accessibility in the browser tests: axe-core (an npm package pinned in package.json,
installed into node_modules/ by ``make setup``) run inside a Playwright page.

The script is handed to the page with ``page.evaluate``, which DevTools runs outside the
page's Content-Security-Policy: a ``<script>`` tag added to the page (Playwright's
``add_script_tag``) would be an inline script our policy refuses, and the test would fail
on the CSP violation rather than on what axe found.
"""

from functools import cache
from pathlib import Path

from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# What fails a page. axe's "moderate" and "minor" findings (a heading level skipped, a
# landmark's region) are worth reading but do not lock anyone out.
FAILING_IMPACTS = ("critical", "serious")
# WCAG 2.1 A and AA plus axe's best practices (landmarks, skip link, one main); the
# AAA rules (enhanced contrast) are not a target.
RUN_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN_AXE = """async ([impacts, tags]) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(" "),
        html: n.html.slice(0, 160),
        summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300),
      })),
    }));
}"""


@cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        raise FileNotFoundError(
            f"{AXE_JS} is missing: run `make setup` (npm ci installs axe-core, "
            "pinned in package-lock.json)"
        )
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """The page's critical and serious violations, as axe reports them."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE, [list(FAILING_IMPACTS), RUN_ONLY])


def describe(violations: list[dict], name: str, url: str, width: int) -> str:
    """A readable list: the page's Persian name, then each rule with its targets."""
    lines = [f"«{name}» ({url}, {width}px):"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['rule']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"      {node['target']}  —  {node['summary']}")
        if len(violation["nodes"]) > 8:
            lines.append(f"      … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def accessibility_problems(page, name: str) -> str | None:
    """None when axe finds nothing critical or serious on the page, else the list."""
    violations = axe_violations(page)
    if not violations:
        return None
    width = page.viewport_size["width"] if page.viewport_size else 0
    return describe(violations, name, page.url, width)


def assert_accessible(page, name: str) -> None:
    """Fails the test with axe's critical and serious findings on the page, by rule."""
    problems = accessibility_problems(page, name)
    assert problems is None, "axe-core found critical or serious violations on " + problems
