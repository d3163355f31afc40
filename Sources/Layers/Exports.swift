@_exported import Tensors
