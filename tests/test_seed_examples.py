"""The seed documents' PyTorch examples, run with mini_autograd in place of torch, print what the seeds show.

The code and printed output are copied from ../shared/seeds/ (000: lecture slides, 001 and 003: lesson notebooks).
Seed 001 ran on a GPU, so its printout carries `device='cuda:0'`; on the CPU PyTorch prints no device, and neither do
we. When the seeds are present beside the checkout, the test also checks that the expected text is really theirs.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import torch

import mini_autograd

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

EXAMPLES = {
    "000_slides_q_f": (
        "000_*.txt",
        """
x = torch.tensor(4., requires_grad=True)
y = torch.tensor(-3., requires_grad=True)
z = torch.tensor(5., requires_grad=True)
q = x + y
f = q * z
f.backward()
print("Gradient of x is: " + str(x.grad))
print("Gradient of y is: " + str(y.grad))
print("Gradient of z is: " + str(z.grad))
""",
        "Gradient of x is: tensor(5.)\nGradient of y is: tensor(5.)\nGradient of z is: tensor(1.)\n",
    ),
    "003_notebook_a_b_c": (
        "003_*.txt",
        """
a = torch.tensor(2., requires_grad=True)
b = torch.tensor(0., requires_grad=True)
c = (a-b)**2
c.backward()
print(a.grad)
print(b.grad)
""",
        "tensor(4.)\ntensor(-4.)\n",
    ),
    "001_notebook_linear_regression": (
        "001_*.txt",
        """
if torch.cuda.is_available():
    device = torch.device("cuda")
else:
    device = torch.device("cpu")
x = torch.tensor(1.0, device=device)
y = torch.tensor(2.0, device=device)
w = torch.tensor(1.0, device=device, requires_grad=True)
print(x)
print(y)
print(w)
y_hat = w * x
loss = (y_hat - y)**2
print(loss)
loss.backward()
print(w.grad)
""",
        "tensor(1.)\ntensor(2.)\ntensor(1., requires_grad=True)\ntensor(1., grad_fn=<PowBackward0>)\ntensor(-2.)\n",
    ),
}


def run(code: str, module) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {"torch": module})
    return out.getvalue()


@pytest.mark.parametrize("name", EXAMPLES)
def test_mini_autograd_prints_what_the_seed_shows(name):
    _, code, expected = EXAMPLES[name]
    assert run(code, mini_autograd) == expected


@pytest.mark.parametrize("name", EXAMPLES)
def test_pytorch_prints_the_same(name):
    _, code, expected = EXAMPLES[name]
    assert run(code, torch) == expected


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_expected_text_is_the_seeds(name):
    pattern, code, expected = EXAMPLES[name]
    files = sorted(SEEDS.glob(pattern))
    if not files:  # a checkout without shared/ beside it: the embedded copies above are the reference
        assert expected and code
        return
    seed = files[0].read_text().replace(", device='cuda:0'", "")
    for line in expected.splitlines():
        assert line in seed, f"{line!r} is not in {files[0].name}"
    for line in code.strip().splitlines():
        assert line.strip() in seed, f"{line.strip()!r} is not in {files[0].name}"
