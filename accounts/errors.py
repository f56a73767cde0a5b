"""Errors of account management that a person can act on, in the interface language.

The message is an English msgid with `{name}` placeholders; the JSON API sends it formatted in
English, pages translate it first. `N_` marks such messages for extraction.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.exceptions import ClientException, HTTPException, NotFoundException


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return message


class AccountError(Exception):
    status_code = 400

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params

    def translated(self, gettext: Callable[[str], str]) -> str:
        return gettext(self.message).format(**self.params)

    def http(self) -> HTTPException:
        if self.status_code == 404:
            return NotFoundException(detail=str(self))
        return ClientException(detail=str(self), status_code=self.status_code)


class NotFoundError(AccountError):
    status_code = 404


class ConflictError(AccountError):
    status_code = 409
