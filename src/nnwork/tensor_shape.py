"""Shape methods of a Tensor (reshape, transpose, expand, split, ...) and the matrix products.

Each checks its arguments as torch does (the checks in nnwork.ops.views) and applies its kernel.
"""

from __future__ import annotations

from typing import Any, Sequence

from nnwork import ops as _ops
from nnwork.ops import views as _views
from nnwork.tensor_base import TensorBase


class ShapeMethods(TensorBase):
    """size/dim, reshape/view, flatten, squeeze, transpose/permute, expand, repeat, flip,
    split/chunk; dot, outer, mm, mv."""

    __slots__ = ()

    def size(self, dim: int | None = None) -> Any:
        """The shape (a tuple), or the size of dim `dim` (an int)."""
        if dim is None:
            return self.data.shape
        if self.data.ndim == 0:
            raise IndexError(f"size(dim={dim}) of a 0-d tensor: it has no dimensions")
        return self.data.shape[_views.dim_index(dim, self.data.ndim)]

    def dim(self) -> int:
        return self.data.ndim

    def reshape(self, *shape: Any) -> TensorBase:
        """The same values in `shape` (ints or one tuple; one size may be -1, inferred)."""
        return self._apply(_ops.Reshape, self, shape=_views.int_args(shape, "shape"))

    view = reshape  # no in-place ops on tensors, so sharing memory or not cannot show

    def reshape_as(self, other: TensorBase) -> TensorBase:
        return self._apply(_ops.Reshape, self, shape=other.shape)

    view_as = reshape_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> TensorBase:
        """Dims start_dim..end_dim joined into one (a 0-d tensor becomes shape (1,))."""
        return self._apply(_ops.Reshape, self, shape=_views.flatten_shape(self.shape, start_dim, end_dim))

    def squeeze(self, dim: int | Sequence[int] | None = None) -> TensorBase:
        """Without its size-1 dims: all of them, or those among `dim` (an int or a tuple)."""
        return self._apply(_ops.Reshape, self, shape=_views.squeeze_shape(self.shape, dim))

    def unsqueeze(self, dim: int) -> TensorBase:
        """A size-1 dim inserted at `dim` (a dim of the result, in [-ndim-1, ndim])."""
        return self._apply(_ops.Reshape, self, shape=_views.unsqueeze_shape(self.shape, dim))

    def transpose(self, dim0: int, dim1: int) -> TensorBase:
        """Dims `dim0` and `dim1` swapped (PyTorch's meaning; `permute` takes all the dims)."""
        axes = list(range(self.data.ndim))
        d0, d1 = _views.dim_index(dim0, self.ndim, "dim0"), _views.dim_index(dim1, self.ndim, "dim1")
        if axes:
            axes[d0], axes[d1] = axes[d1], axes[d0]
        return self._apply(_ops.Transpose, self, axes=tuple(axes))

    def permute(self, *dims: Any) -> TensorBase:
        """Dims reordered: dim i of the result is dim `dims[i]` of self (NumPy's transpose)."""
        return self._apply(_ops.Transpose, self, axes=_ops.transpose_axes(_views.int_args(dims, "dims"), self.ndim))

    def t(self) -> TensorBase:
        """A matrix transposed; 0-d and 1-D tensors are returned as they are."""
        if self.data.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, got shape {self.shape}; use mT or permute")
        return self._apply(_ops.Transpose, self, axes=tuple(reversed(range(self.data.ndim))))

    def movedim(self, source: int | Sequence[int], destination: int | Sequence[int]) -> TensorBase:
        return self._apply(_ops.Transpose, self, axes=_views.movedim_axes(source, destination, self.ndim))

    moveaxis = movedim

    def expand(self, *sizes: Any) -> TensorBase:
        """Size-1 dims repeated to `sizes` (-1 keeps a size; new dims go in front)."""
        shape = _views.expand_shape(self.shape, _views.int_args(sizes, "sizes"))
        return self._apply(_ops.Expand, self, shape=shape)

    def expand_as(self, other: TensorBase) -> TensorBase:
        return self._apply(_ops.Expand, self, shape=_views.expand_shape(self.shape, other.shape))

    def repeat(self, *repeats: Any) -> TensorBase:
        """The tensor tiled `repeats[i]` times along dim i (extra leading repeats add dims)."""
        return self._apply(_ops.Repeat, self, repeats=_views.int_args(repeats, "repeats"))

    def flip(self, *dims: Any) -> TensorBase:
        """The elements along `dims` in reverse order."""
        return self._apply(_ops.Flip, self, dims=_views.dim_indices(_views.int_args(dims, "dims"), self.ndim))

    def split(self, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[TensorBase, ...]:
        """Pieces along `dim` of split_size_or_sections elements each (the last may be
        smaller), or of the sizes in that list."""
        return tuple(self[i] for i in _views.split_indices(self.shape, split_size_or_sections, dim))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[TensorBase, ...]:
        """At most `chunks` pieces of equal size along `dim` (the last may be smaller)."""
        return tuple(self[i] for i in _views.chunk_indices(self.shape, chunks, dim))

    # ---- matrix products (`@` is matmul, with broadcasting) ---------------------------
    def dot(self, other: Any) -> TensorBase:
        """Σᵢ aᵢ·bᵢ of two 1-D tensors of one size and dtype."""
        other = self._other(other)
        _views.check_matrix_product("dot", self.data, other.data, (1, 1))
        return self._apply(_ops.MatMul, self, other)

    def outer(self, other: Any) -> TensorBase:
        """out[i, j] = a[i]·b[j] of two 1-D tensors."""
        return self._apply(_ops.Outer, self, self._other(other))

    def mm(self, other: Any) -> TensorBase:
        """The product of two matrices (no broadcasting)."""
        other = self._other(other)
        _views.check_matrix_product("mm", self.data, other.data, (2, 2))
        return self._apply(_ops.MatMul, self, other)

    def mv(self, other: Any) -> TensorBase:
        """A matrix times a vector."""
        other = self._other(other)
        _views.check_matrix_product("mv", self.data, other.data, (2, 1))
        return self._apply(_ops.MatMul, self, other)
