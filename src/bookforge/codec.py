"""A JSON codec for the Book model and the other frozen dataclasses the cache keeps: data that cannot run code.

It is driven by the type hints alone (``dataclasses.fields`` and ``typing.get_type_hints``), so a new
field or node type in the model needs no change here.  Bytes are not put into the JSON: they are
moved out into a list of blobs that the cache stores raw, and the JSON keeps their index.
Decoding checks every value against its type and raises ``CodecError`` on anything else, so a
foreign or edited entry is refused rather than half-read.  ``write`` gives the JSON text of ``encode`` piece by
piece, so the cache streams a whole book to disk without holding it as one tree or string.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import json
import types
import typing
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ValidationError


class CodecError(ValueError):
    """The data does not have the shape its type asks for."""


def encode(value: Any, blobs: list[bytes]) -> Any:
    """``value`` as JSON-ready data; its bytes appended to ``blobs``."""
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        blobs.append(value)
        return {"blob": len(blobs) - 1}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value):
        return {f.name: encode(getattr(value, f.name), blobs) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [encode(item, blobs) for item in value]
    if isinstance(value, dict):
        return [[encode(k, blobs), encode(v, blobs)] for k, v in value.items()]
    raise CodecError(f"cannot encode a {type(value).__name__}")


def write(value: Any, out: Callable[[str], None], blobs: list[bytes], depth: int = 4) -> None:
    """``encode(value)`` as compact JSON text, given to ``out`` piece by piece: records and sequences down to
    ``depth`` levels are written field by field and item by item, so a whole book (a 50x book's is a few hundred
    megabytes as one tree) is never held at once; below that, each piece is encoded whole."""
    if depth and dataclasses.is_dataclass(value) and not isinstance(value, type):
        out("{")
        for number, item in enumerate(dataclasses.fields(value)):
            out(("," if number else "") + json.dumps(item.name) + ":")
            write(getattr(value, item.name), out, blobs, depth - 1)
        out("}")
    elif depth and isinstance(value, (tuple, list)):
        out("[")
        for number, item in enumerate(value):
            if number:
                out(",")
            write(item, out, blobs, depth - 1)
        out("]")
    else:
        out(json.dumps(encode(value, blobs), ensure_ascii=False, separators=(",", ":")))


def decode(hint: Any, data: Any, blobs: list[bytes]) -> Any:
    """The value of type ``hint`` that ``encode`` turned into ``data``."""
    return _decoder(hint)(data, blobs)


Decoder = Callable[[Any, list], Any]


@functools.cache
def _decoder(hint: Any) -> Decoder:
    """The function that decodes data of type ``hint``, worked out once per type: a cache entry holds
    thousands of values of a few types (a layout's baselines, a book's words)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any or hint is object:
        return lambda data, blobs: _expect(data, (type(None), bool, int, float, str))
    if hint is type(None):
        return lambda data, blobs: _expect(data, type(None))
    if origin in (typing.Union, types.UnionType):
        return lambda data, blobs: _union(args, data, blobs)
    if origin is typing.Literal:
        return functools.partial(_literal, args)
    if origin in (tuple, list):
        return _sequence_decoder(origin, args)
    if origin is dict:
        return lambda data, blobs: {decode(args[0], k, blobs): decode(args[1], v, blobs) for k, v in _pairs(data)}
    if not isinstance(hint, type):
        raise CodecError(f"cannot decode the type {hint!r}")
    if hint is float:
        return lambda data, blobs: float(_expect(data, (int, float)))
    if hint is str:
        return lambda data, blobs: _expect(data, str)
    if dataclasses.is_dataclass(hint):
        return functools.partial(_record, hint)
    return functools.partial(_scalar_or_record, hint)


def _literal(options: tuple, data: Any, blobs: list[bytes]) -> Any:
    if data not in options:
        raise CodecError(f"{data!r} is not one of {options}")
    return data


def _sequence_decoder(origin: type, args: tuple) -> Decoder:
    if origin is list:
        return lambda data, blobs: [decode(args[0], item, blobs) for item in _expect(data, list)]
    if len(args) == 2 and args[1] is Ellipsis:
        return lambda data, blobs: tuple(decode(args[0], item, blobs) for item in _expect(data, list))

    def fixed(data: Any, blobs: list[bytes]) -> tuple:
        items = _expect(data, list)
        if len(args) != len(items):
            raise CodecError(f"expected {len(args)} items, got {len(items)}")
        return tuple(decode(a, item, blobs) for a, item in zip(args, items))

    return fixed


def _scalar_or_record(hint: type, data: Any, blobs: list[bytes]) -> Any:
    if issubclass(hint, enum.Enum):
        try:
            return hint(data)
        except ValueError as exc:
            raise CodecError(str(exc)) from None
    if hint is bytes:
        index = _expect(_expect(data, dict).get("blob"), int)
        if not 0 <= index < len(blobs):
            raise CodecError(f"no blob {index}")
        return blobs[index]
    if hint is bool or hint is int:
        if hint is int and isinstance(data, bool):
            raise CodecError("expected an int, got a bool")
        return _expect(data, hint)
    if issubclass(hint, datetime.datetime):
        return _iso(datetime.datetime.fromisoformat, data)
    if issubclass(hint, datetime.date):
        return _iso(datetime.date.fromisoformat, data)
    if issubclass(hint, (Path, PurePosixPath)):
        return hint(_expect(data, str))
    if issubclass(hint, BaseModel):
        try:
            return hint.model_validate(data)
        except ValidationError as exc:
            raise CodecError(str(exc)) from None
    raise CodecError(f"cannot decode a {hint.__name__}")


def _record(cls: type, data: Any, blobs: list[bytes]) -> Any:
    data = _expect(data, dict)
    fields = _fields(cls)
    if data.keys() != fields.keys():
        raise CodecError(f"{cls.__name__}: expected the fields {sorted(fields)}, got {sorted(data)}")
    return cls(**{name: decode(hint, data[name], blobs) for name, hint in fields.items()})


@functools.cache
def _fields(cls: type) -> dict[str, Any]:
    """A dataclass's fields that its constructor takes, with their type hints."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}


def _union(args: tuple, data: Any, blobs: list[bytes]) -> Any:
    problems = []
    for option in args:
        try:
            return decode(option, data, blobs)
        except CodecError as exc:
            problems.append(str(exc))
    raise CodecError("; ".join(problems))


def _pairs(data: Any) -> list[tuple[Any, Any]]:
    pairs = _expect(data, list)
    if not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
        raise CodecError("expected [key, value] pairs")
    return [tuple(pair) for pair in pairs]


def _iso(parse, data: Any) -> Any:
    try:
        return parse(_expect(data, str))
    except ValueError as exc:
        raise CodecError(str(exc)) from None


def _expect(data: Any, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(data, kind) or (isinstance(data, bool) and kind in (int, (int, float))):
        raise CodecError(f"expected {kind}, got {type(data).__name__}")
    return data
