"""Errors fowsim raises for input a user can fix."""

from __future__ import annotations


class ConfigError(ValueError):
    """Bad input: the message is one line naming the key, the value and what is allowed."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}={value!r}: {allowed}")


class ExtensionError(TypeError):
    """A user extension (subclass, `_target_`) broke its contract; the message says what was expected."""


class OutputError(OSError):
    """A result could not be written (a full disk, a lost mount): one line naming the file and why; nothing kept."""
