"""`complaints simulate` run in-process over the shipped policies, loaded once per session."""

import functools
from pathlib import Path
from unittest import mock

from api import cli
from domain.policy_files import PolicySet, load_policy_set
from harness.samples import POLICY_DIR


@functools.cache
def _shipped_policies() -> PolicySet:
    return load_policy_set(POLICY_DIR)


def _load(path: Path) -> PolicySet:
    # The shipped files do not change during a test run; loading them (YAML, every template
    # compiled) takes 0.1 s, which dozens of simulations would pay again and again.
    return _shipped_policies() if path == POLICY_DIR else load_policy_set(path)


def simulate(*args: str) -> int:
    """`complaints simulate --policy policy ARGS`: its exit code; it prints what it prints."""
    with mock.patch.object(cli, "load_policy_set", _load):
        return cli.main(["simulate", "--policy", str(POLICY_DIR), *args])
