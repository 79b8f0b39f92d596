"""Several Rasa servers on one machine share its cores instead of each using all of them.

torch (the sentence encoder, most of a Rasa server's CPU per message), TensorFlow (DIET) and the BLAS under numpy
each start one thread per core for every operation. With one Rasa server per core that is N servers x N threads
on N cores: the servers' threads pre-empt each other on every message. The production profile (and any stack with
several Rasa servers) gives each server its share of the cores (CA_RASA_THREADS to choose); the embedded stack's
single server keeps the libraries' defaults. This starts the Rasa environment's Python with the environment a
Rasa server of each stack gets and asks torch and TensorFlow (set up as `rasa run` sets it up) what they use.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from stack import RASA_ENV, Stack, cores

from api.settings import ROOT

pytestmark = pytest.mark.slow  # TensorFlow and torch take seconds to import

ASK = """
import json
from rasa.utils.tensorflow.environment import setup_tf_environment
setup_tf_environment()
import tensorflow as tf, torch
intra_op = tf.config.threading.get_intra_op_parallelism_threads()
print(json.dumps({"torch": torch.get_num_threads(), "tensorflow": intra_op}))
"""


def threads_in_a_rasa_server_of(stack: Stack) -> dict[str, int]:
    """How many threads torch and TensorFlow use for one operation in a Rasa server of ``stack`` (0: TF's default)."""
    done = subprocess.run(
        [str(RASA_ENV / "python"), "-c", ASK],
        cwd=ROOT,
        env=stack.rasa_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def several(servers: int, **options: object) -> Stack:
    return Stack(
        rasa_servers=servers,
        tracker_url="postgresql://postgres@127.0.0.1:5432/unused",
        redis_url="redis://127.0.0.1:6379/0",
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def no_thread_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's own environment sets none of the variables, so what a server gets is the stack's doing."""
    for name in ("CA_RASA_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS"):
        monkeypatch.delenv(name, raising=False)


def test_each_of_two_rasa_servers_uses_its_share_of_the_cores() -> None:
    share = max(1, cores() // 2)
    assert threads_in_a_rasa_server_of(several(2)) == {"torch": share, "tensorflow": share}


def test_the_embedded_single_rasa_server_keeps_the_libraries_defaults() -> None:
    alone = threads_in_a_rasa_server_of(Stack())
    default = subprocess.run(
        [str(RASA_ENV / "python"), "-c", "import torch; print(torch.get_num_threads())"],
        env={k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert alone == {"torch": int(default.stdout), "tensorflow": 0}


def test_the_threads_per_server_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CA_RASA_THREADS", "1")
    assert threads_in_a_rasa_server_of(Stack()) == {"torch": 1, "tensorflow": 1}
    monkeypatch.setenv("CA_RASA_THREADS", "none")
    with pytest.raises(ValueError, match="at least 1"):
        several(2)
