"""Errors fowsim raises for input a user can fix."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class ConfigError(ValueError):
    """Bad input: the message is one line naming the key, the value and what is allowed."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}={value!r}: {allowed}")


class ExtensionError(TypeError):
    """A user extension (subclass, `_target_`) broke its contract; the message says what was expected."""


class OutputError(OSError):
    """A result could not be written (a full disk, a lost mount): one line naming the file and why; nothing kept."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse for fowsim's subcommands: a bad argument is one line (and `--help` says the rest), status 2."""

    def error(self, message: str) -> NoReturn:
        """Print `message` in one line and exit with status 2."""
        print(f"{self.prog}: error: {message} (`{self.prog} --help` shows the usage)", file=sys.stderr)
        raise SystemExit(2)


def at_least(minimum: int, what: str):
    """An argparse type: a whole number >= `minimum` (argparse names the option and the value given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: {what}, a whole number >= {minimum}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r}: {what}, a whole number >= {minimum}")
        return value

    return parse
