"""The seed documents' PyTorch examples, run with mini_autograd in place of torch, print what the seeds show.

The examples are read from the seed files themselves (``../shared/seeds`` beside the checkout): the code blocks and
the output printed under them are extracted, ``torch`` becomes ``mini_autograd`` in the code, the code is run with
stdout captured, and the capture must equal the seed's output. Seed 001 ran on a GPU, so its output carries
``device='cuda:0'``; on the CPU PyTorch prints no device, so that text is removed from the expectation (the code's
own device selection picks the CPU here, with both libraries). Each example is also run with real PyTorch, which
must print the same. Without the seeds directory the copies embedded below are used, so the tests never skip.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
import torch

import mini_autograd

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
GPU_DEVICE = ", device='cuda:0'"

# What the parser below extracts from each seed (code, and output as the seed shows it), for a checkout without the
# seeds beside it.
EMBEDDED = {
    "000_slides_x_y_z": (
        "000_*.txt",
        """\
# Initialize x, y and z to values 4, -3 and 5
x = torch.tensor(4., requires_grad=True)
y = torch.tensor(-3., requires_grad=True)
z = torch.tensor(5., requires_grad=True)

# Set q to sum of x and y, set f to product of q with z
q = x + y
f = q * z

# Compute the derivatives
f.backward()

# Print the gradients
print("Gradient of x is: " + str(x.grad))
print("Gradient of y is: " + str(y.grad))
print("Gradient of z is: " + str(z.grad))
""",
        "Gradient of x is: tensor(5.)\nGradient of y is: tensor(5.)\nGradient of z is: tensor(1.)\n",
    ),
    "001_notebook_linear_regression": (
        "001_*.txt",
        """\
import torch
if torch.cuda.is_available():
    device = torch.device("cuda")
else:
    device = torch.device("cpu")

# define x, y and initial weights
x = torch.tensor(1.0, device=device)
y = torch.tensor(2.0, device=device)
w = torch.tensor(1.0, device=device, requires_grad=True)
print(x)
print(y)
print(w)
# forward pass and compute the loss
y_hat = w * x
loss = (y_hat - y)**2
print(loss)
# backward pass
loss.backward()
print(w.grad)

# update weights
# next forward and backward
""",
        "tensor(1., device='cuda:0')\n"
        "tensor(2., device='cuda:0')\n"
        "tensor(1., device='cuda:0', requires_grad=True)\n"
        "tensor(1., device='cuda:0', grad_fn=<PowBackward0>)\n"
        "tensor(-2., device='cuda:0')\n",
    ),
    "003_notebook_a_b_c": (
        "003_*.txt",
        """\
import torch
a = torch.tensor(2., requires_grad=True)
b = torch.tensor(0., requires_grad=True)
c = (a-b)**2
c.backward()
print(a.grad)
print(b.grad)
""",
        "tensor(4.)\ntensor(-4.)\n",
    ),
}


# ------------------------------------------------------------------------------------------------- parsing


def parse_slides(text: str) -> tuple[str, str]:
    """Markdown slides (000): a ```python block, then 'The code above produces:' and a block with the output."""
    blocks = list(re.finditer(r"```python[^\n]*\n(.*?)```", text, re.S))
    for code, output in zip(blocks, blocks[1:]):
        between = text[code.end() : output.start()]
        if "produces" in between and "torch" in code.group(1):
            return code.group(1), output.group(1).rstrip("\n") + "\n"
    raise AssertionError("no python block followed by 'The code above produces:' in the slides")


def parse_notebook(text: str) -> tuple[str, str]:
    """A notebook exported as text (001, 003): 'In [n]:' cells; a cell that prints ends with its output, the last
    blank-line-separated paragraph. The cells from the first one that uses torch to the end are the example."""
    cells = re.split(r"^In \[[^\]]*\]:[ \t]*\n", text, flags=re.M)[1:]
    code_parts, output_parts = [], []
    for cell in cells:
        paragraphs = [p for p in re.split(r"\n[ \t]*\n", cell.strip("\n")) if p.strip()]
        if any("print(" in p for p in paragraphs):
            *code, output = paragraphs
            output_parts.append(output.strip("\n") + "\n")
        else:
            code = paragraphs
        code_parts.append("\n\n".join(code) + "\n")
    assert code_parts and "torch" in code_parts[0], "no notebook cells using torch"
    return "".join(code_parts), "".join(output_parts)


def load_examples() -> dict:
    """name -> (code written for torch, the output PyTorch printed on the CPU): from the seeds when they are there."""
    examples = {}
    for name, (pattern, code, output) in EMBEDDED.items():
        files = sorted(SEEDS.glob(pattern))
        if files:
            text = files[0].read_text(encoding="utf-8")
            code, output = parse_slides(text) if "```python" in text else parse_notebook(text)
        examples[name] = (code, output.replace(GPU_DEVICE, ""))
    return examples


EXAMPLES = load_examples()


def run(code: str, module) -> tuple[str, dict]:
    """Run example code with `module` as its torch; return what it printed and the variables it left."""
    if module is mini_autograd:
        code = re.sub(r"\btorch\b", "mini_autograd", code)
    scope = {"__name__": "seed_example", module.__name__: module}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<seed example>", "exec"), scope)
    return out.getvalue(), scope


# --------------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", EXAMPLES)
def test_mini_autograd_prints_what_the_seed_shows(name):
    code, expected = EXAMPLES[name]
    printed, scope = run(code, mini_autograd)
    assert printed == expected, f"\nprinted:\n{printed}\nthe seed shows:\n{expected}"
    # and it really ran on mini_autograd: its tensors are ours, none is PyTorch's
    tensors = [v for v in scope.values() if isinstance(v, (mini_autograd.Tensor, torch.Tensor))]
    assert tensors and all(isinstance(v, mini_autograd.Tensor) for v in tensors)


@pytest.mark.parametrize("name", EXAMPLES)
def test_pytorch_prints_the_same(name):
    code, expected = EXAMPLES[name]
    printed, scope = run(code, torch)
    assert printed == expected, f"\nprinted:\n{printed}\nthe seed shows:\n{expected}"
    assert any(isinstance(v, torch.Tensor) for v in scope.values())


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_embedded_copies_are_what_the_seeds_contain(name):
    # with the seeds present the parser must find exactly the embedded copies, so the fallback is faithful and the
    # parser found the whole example; without them the embedded copies are the ones in use
    _, code, output = EMBEDDED[name]
    assert EXAMPLES[name] == (code, output.replace(GPU_DEVICE, ""))


def test_the_gpu_device_is_removed_from_seed_001_only():
    for name, (pattern, _, output) in EMBEDDED.items():
        files = sorted(SEEDS.glob(pattern))
        text = files[0].read_text(encoding="utf-8") if files else output
        assert text.count(GPU_DEVICE) == (5 if name.startswith("001") else 0), name
        assert "device=" not in EXAMPLES[name][1]


def test_the_seeds_expected_values():
    # the numbers the lessons quote: df/dx = z = 5, df/dy = 5, df/dz = x + y = 1; d(a-b)^2/da = 4, /db = -4;
    # the regression loss (1*1 - 2)^2 = 1 with dloss/dw = -2
    assert EXAMPLES["000_slides_x_y_z"][1].split("\n")[:3] == [
        "Gradient of x is: tensor(5.)",
        "Gradient of y is: tensor(5.)",
        "Gradient of z is: tensor(1.)",
    ]
    assert EXAMPLES["003_notebook_a_b_c"][1] == "tensor(4.)\ntensor(-4.)\n"
    assert EXAMPLES["001_notebook_linear_regression"][1].splitlines()[3:] == [
        "tensor(1., grad_fn=<PowBackward0>)",
        "tensor(-2.)",
    ]
