"""Hand-made worlds: a small model whose persons and random numbers a test sets by hand, so
that a process, run as the model runs it, gives answers worked out on paper."""

import numpy as np
import pytest

from migdev.agents import migrant
from migdev.core.codes import HOME, LOW, STREAMS, TEMP
from migdev.core.rng import Draws
from migdev.model import MigrationModel

#: a draw above every threshold: nothing random happens (no joining, no recognition, no
#: formal channel, no loss, no mission, no return of a settled or irregular migrant)
NOTHING = np.float32(0.9999)


class HandMade:
    """A model of ``n`` persons, all at home, with persons placed abroad by :meth:`abroad`
    and each stream's numbers set by :meth:`draw` (every other number is :data:`NOTHING`).

    The processes read their draws through ``migrant.draws32``, which is replaced for the
    test; the model's own streams are not used."""

    def __init__(self, monkeypatch, n: int = 200, **params):
        self.m = MigrationModel(rng=0, n_persons=n, **params)
        pop = self.m.pop
        pop.status[:] = HOME
        pop.dest[:] = -1
        self.values: dict[str, np.ndarray] = {}
        names = {id(g): name for name, g in self.m.streams.items()}
        assert set(names.values()) == set(STREAMS)

        def draws32(gen, shape):
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            name = names[id(gen)]
            values = np.full(shape, NOTHING, dtype=np.float32)
            given = self.values.get(name)
            if given is not None:
                rows = values.reshape(-1, shape[-1])
                rows[:] = given[:rows.shape[0]]
            return Draws(None, 0, shape, values)

        monkeypatch.setattr(migrant, "draws32", draws32)

    @property
    def pop(self):
        return self.m.pop

    def abroad(self, slot: int, status=TEMP, dest: int = 0, occ: int = LOW, **fields) -> int:
        """Person ``slot`` abroad in destination ``dest``; other fields (``h``, ``ties``,
        ``debt``, ``contract_left``, ...) as given. Returns the slot."""
        pop = self.pop
        pop.status[slot], pop.dest[slot], pop.occ[slot] = status, dest, occ
        pop.contract_left[slot] = fields.pop("contract_left", 8 if status == TEMP else 0)
        for name, value in fields.items():
            getattr(pop, name)[slot] = value
        return slot

    def draw(self, stream: str, slot: int, value: float, row: int = 0) -> None:
        """Person ``slot``'s number ``row`` of ``stream`` this quarter."""
        values = self.values.setdefault(stream, np.full((4, self.pop.n), NOTHING, np.float32))
        values[row, slot] = value

    def decide(self, offers, attempts) -> None:
        """5. of the schedule: the persons with ``offers`` or ``attempts`` decide."""
        self.m.flows.reset()
        migrant.decide(self.m, offers, attempts)

    def quarter_abroad(self) -> None:
        """6.-9. of the schedule, as the model's step runs them."""
        self.m.flows.reset()
        migrant.abroad_quarter(self.m)


@pytest.fixture
def handmade(monkeypatch):
    """``handmade(**params)``: a :class:`HandMade` world with those parameters."""
    return lambda **params: HandMade(monkeypatch, **params)
