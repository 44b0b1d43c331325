"""Binary array traits: numpy arrays travel to the front end as ``{dtype, shape, buffer}`` with
the buffer as a binary message part (zero-copy on both sides), never as JSON lists.
``js/widgets/_kit/codecs.ts`` decodes them. The JSON encoding of everything else is
:func:`mlnb.schema.json_safe`.

Example
-------
>>> import numpy as np
>>> wire = array_to_json(np.arange(3, dtype=np.int64), None)
>>> wire["dtype"], wire["shape"], bytes(wire["buffer"])[:4]
('int32', [3], b'\\x00\\x00\\x00\\x00')
>>> array_from_json(wire, None)
array([0, 1, 2], dtype=int32)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

#: dtypes a typed array can hold; others are converted (int64 -> int32 when the values fit, else float64).
WIRE_DTYPES = ("float32", "float64", "int8", "int16", "int32", "uint8", "uint16", "uint32", "bool")


def to_wire_dtype(array: np.ndarray) -> np.ndarray:
    """``array`` in a dtype JavaScript has a typed array for (no BigInt64 in views)."""
    if array.dtype.name in WIRE_DTYPES:
        return array
    if array.dtype.kind in "iu":
        info = np.iinfo(np.int32)
        if array.size == 0 or (array.min() >= info.min and array.max() <= info.max):
            return array.astype(np.int32)
        return array.astype(np.float64)
    if array.dtype.kind == "f":
        return array.astype(np.float32 if array.dtype.itemsize < 4 else np.float64)
    raise TypeError(f"array of dtype {array.dtype} cannot be sent to a view; expected numbers or booleans")


def array_to_json(value: Any, widget: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    array = np.ascontiguousarray(to_wire_dtype(np.asarray(value)))
    return {"dtype": array.dtype.name, "shape": list(array.shape), "buffer": memoryview(array).cast("B")}


def array_from_json(value: Any, widget: Any) -> np.ndarray | None:
    if value is None:
        return None
    dtype = np.bool_ if value["dtype"] == "bool" else np.dtype(value["dtype"])
    return np.frombuffer(bytes(value["buffer"]), dtype=dtype).reshape(value["shape"])


array_serialization = {"to_json": array_to_json, "from_json": array_from_json}


class NDArray(traitlets.TraitType):
    """A numpy array trait that syncs as a binary buffer. ``dtype`` casts on assignment; ``ndim``
    checks the number of dimensions."""

    info_text = "a numpy array"

    def __init__(self, default_value: Any = None, *, dtype: Any = None, ndim: int | None = None,
                 allow_none: bool = True, **kwargs: Any) -> None:
        self.dtype = None if dtype is None else np.dtype(dtype)
        self.ndim = ndim
        super().__init__(default_value=default_value, allow_none=allow_none, **kwargs)
        self.tag(**array_serialization)

    def validate(self, obj: Any, value: Any) -> Any:
        if value is None:
            if self.allow_none:
                return None
            self.error(obj, value)
        try:
            array = np.asarray(value, dtype=self.dtype)
        except (TypeError, ValueError):
            raise traitlets.TraitError(
                f"{self.name}={type(value).__name__} is not valid; expected an array-like of numbers") from None
        if self.ndim is not None and array.ndim != self.ndim:
            raise traitlets.TraitError(
                f"{self.name} has shape {array.shape}; expected an array with {self.ndim} dimension(s)")
        return array


def array_trait(dtype: Any = None, ndim: int | None = None, **kwargs: Any) -> NDArray:
    """A numpy array trait sent as a binary buffer: ``points = array_trait("float32", 2).tag(sync=True)``."""
    return NDArray(dtype=dtype, ndim=ndim, **kwargs)
