"""Neural-network building blocks with PyTorch's names: Module, Parameter, Linear, activations, losses."""

from . import functional
from .modules import (
    CrossEntropyLoss,
    Linear,
    Module,
    MSELoss,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)

__all__ = [
    "functional",
    "Module",
    "Parameter",
    "Linear",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Sequential",
    "MSELoss",
    "CrossEntropyLoss",
]
