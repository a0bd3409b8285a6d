"""docs/policy.md annotates the shipped default policy, word for word."""

from harness.samples import POLICY_DIR


def test_docs_policy_md_shows_the_shipped_default_policy() -> None:
    doc = (POLICY_DIR.parent / "docs" / "policy.md").read_text(encoding="utf-8")
    annotated = doc.split("## The default policy, annotated\n\n```yaml\n")[1].split("```")[0]
    assert annotated == (POLICY_DIR / "default.yaml").read_text(encoding="utf-8")
