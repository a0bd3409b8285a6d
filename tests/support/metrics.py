"""Reading a Prometheus `/metrics` page over HTTP, as Prometheus does."""

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample


async def scrape(url: str) -> list[Sample]:
    """Every sample the page at `url` serves now."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url)
    response.raise_for_status()
    return [
        sample
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    ]


def total(samples: list[Sample], name: str, **labels: str) -> float:
    """The sum of the samples named `name` whose labels include `labels` (the parser names a
    counter's samples `_total`, whether or not the page does)."""
    return sum(
        sample.value
        for sample in samples
        if sample.name.removesuffix("_total") == name and labels.items() <= sample.labels.items()
    )
