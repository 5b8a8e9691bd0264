"""Networks with one planted mistake in their backprop, for ``bprop lab``.

``PlantedNetwork`` is bprop's ``Network`` whose ``backprop_placed`` is the
block of BP1–BP4 from ``bprop.core.network``, in row form, cut into one
method per equation, each method written with the layer number l as on the
page of equations:

    bp1(z, a, Y)            BP1  Δ^L = ∇_A C ⊙ σ′(Z^L)
    bp2(l, delta, z, a)     BP2  Δ^l = (Δ^{l+1} W^{l+1}) ⊙ σ′(Z^l)
    bp3(l, delta, a, m)     BP3  ∂C/∂W^l = (Δ^l)ᵀ A^{l−1} / m
    bp4(l, delta, m)        BP4  ∂C/∂b^l = Σ_i δ^l_i / m

z[l], a[l] and delta[l] are Z^l, A^l, Δ^l of the batch (a[1] is X). With no
method overridden it computes exactly what ``Network.backprop_placed``
computes (the tests compare the two, bit for bit; the core may take BP2's
product as (Wᵀ Δᵀ)ᵀ for speed, which OpenBLAS computes to the same bits at
these sizes). Each lab's network below overrides one
method and changes one line, marked ``# planted``: that class is the
solution a teacher reads. ``PlantedSGD`` does the same for the update.

The planted networks run on NumPy only, without dropout, L1/L2 or sample
weights: a lab needs none of them, and they are refused rather than ignored.
Copies (``copy``, ``converted``) keep the planted class, so that gradcheck and
explain, which work on copies, see the broken backprop; ``correct()`` gives
the same parameters in a plain ``Network``.
"""

from __future__ import annotations

from ...core import activations, costs
from ...core.backend import total
from ...core.fast import scaled
from ...core.network import Gradients, Network
from ...core.optimizers import SGD
from ...errors import InvalidArgument


class PlantedNetwork(Network):
    """bprop's BP1–BP4 as one method per equation; subclasses plant one mistake.

    planted_layer : the layer l whose equation a subclass changes (None: every layer).
    """

    planted_layer = None

    def backprop_placed(
        self,
        X,
        Y,
        l2=0.0,
        n=1,
        divisor=None,
        cost_on_host=True,
        sample_weight=None,
        *,
        l1=0.0,
        masks=None,
        with_cost=True,
    ) -> Gradients:
        """BP1–BP4 as ``Network.backprop_placed`` computes them, through the methods bp1 … bp4.

        ``with_cost=False`` leaves the cost None, as the core does.
        """
        if l2 or l1 or masks is not None or sample_weight is not None or not self.backend.is_numpy:
            raise InvalidArgument(
                "a lab's network runs on NumPy without l2, l1, dropout or sample weights; train it plainly."
            )
        m = X.shape[0] if divisor is None else divisor
        zs, acts = self.forward(X)
        L = self.num_layers
        z = {l: zs[l - 2] for l in range(2, L + 1)}
        a = {l: acts[l - 1] for l in range(1, L + 1)}

        delta = {L: self.bp1(z, a, Y)}  # BP1
        for l in range(L - 1, 1, -1):
            delta[l] = self.bp2(l, delta, z, a)  # BP2, from the output back to layer 2
        layers = range(2, L + 1)
        grad_w = [self.bp3(l, delta, a, m) for l in layers]  # BP3
        grad_b = [self.bp4(l, delta, m) for l in layers]  # BP4
        cost = self.batch_cost(a[L], Y, divisor=m) if with_cost else None
        if cost is not None and cost_on_host:
            cost = float(cost)
        deltas = [delta[l] for l in layers]
        return Gradients(grad_w, grad_b, deltas, cost, zs, acts)

    # -- the four equations, with the layer number l as on the page ------------

    def w(self, l):
        """w^l, (n_l, n_{l−1})."""
        return self.weights[l - 2]

    def sigma(self, l):
        """σ of layer l (the output's for l = L)."""
        return self.output if l == self.num_layers else self.hidden_activations[l - 2]

    def bp1(self, z, a, Y):
        """BP1: δ^L = ∇_a C ⊙ σ′(z^L); a^L − y for the pairs of ``costs.SHORTCUTS``."""
        L = self.num_layers
        if costs.uses_shortcut(self.output, self.cost):
            return a[L] - Y  # BP1, simplified
        if not activations.is_elementwise(self.output):
            return self.output.jacobian_product(z[L], a[L], self.cost.gradient(a[L], Y))  # BP1, full Jacobian
        return self.cost.gradient(a[L], Y) * self.output.derivative(z[L], a[L])  # BP1

    def bp2(self, l, delta, z, a):
        """BP2: δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l); in row form Δ^{l+1} W^{l+1}."""
        return (delta[l + 1] @ self.w(l + 1)) * self.sigma(l).derivative(z[l], a[l])

    def bp3(self, l, delta, a, m):
        """BP3: ∂C/∂w^l_jk = a^{l−1}_k δ^l_j, the batch mean (Δ^l)ᵀ A^{l−1} / m."""
        return (delta[l] * (1.0 / m)).T @ a[l - 1]

    def bp4(self, l, delta, m):
        """BP4: ∂C/∂b^l_j = δ^l_j, the batch mean Σ_i δ^l_i / m."""
        return total(delta[l] * (1.0 / m), axis=0)

    # -- copies keep the planted class ------------------------------------------

    def converted(self, dtype, backend=None) -> Network:
        twin = super().converted(dtype, backend)
        twin.__class__ = type(self)
        return twin

    def correct(self) -> Network:
        """A plain bprop ``Network`` with the same parameters: the right backprop."""
        return Network.converted(self, self.dtype)


class PlantedSGD(SGD):
    """SGD with the update's sign planted wrong: w ← w + η ∂C/∂w."""

    def _update(self, key, param, grad, eta):
        work = self._scratch(key, param)
        param += scaled(grad, eta, work)  # planted: + instead of −  (w ← w − η ∂C/∂w)


# -- the planted mistakes, one per lab ------------------------------------------------


class MissingSigmaPrimeBP1(PlantedNetwork):
    """BP1 without its ⊙ σ′(z^L) factor."""

    def bp1(self, z, a, Y):
        L = self.num_layers
        return self.cost.gradient(a[L], Y)  # planted: ⊙ σ′(z^L) left out


class FlippedCostGradient(PlantedNetwork):
    """BP1 with ∇_a C written y − a instead of a − y."""

    def bp1(self, z, a, Y):
        L = self.num_layers
        return (Y - a[L]) * self.output.derivative(z[L], a[L])  # planted: ∇_a C = a − y, not y − a


class SigmaPrimeAppliedAgain(PlantedNetwork):
    """Softmax + log-likelihood: BP1's shortcut a − y, multiplied by σ′ once more."""

    def bp1(self, z, a, Y):
        L = self.num_layers
        return (a[L] - Y) * a[L] * (1 - a[L])  # planted: a − y already holds the softmax's derivative


class MissingSigmaPrimeBP2(PlantedNetwork):
    """BP2 without ⊙ σ′(z^l) at the planted layer."""

    planted_layer = 2

    def bp2(self, l, delta, z, a):
        if l != self.planted_layer:
            return super().bp2(l, delta, z, a)
        return delta[l + 1] @ self.w(l + 1)  # planted: ⊙ σ′(z^l) left out


class SigmaPrimeOfActivation(PlantedNetwork):
    """BP2 with σ′(a^l) instead of σ′(z^l) at the planted layer."""

    planted_layer = 2

    def bp2(self, l, delta, z, a):
        if l != self.planted_layer:
            return super().bp2(l, delta, z, a)
        sigma = self.sigma(l)
        return (delta[l + 1] @ self.w(l + 1)) * sigma.derivative(a[l], sigma.value(a[l]))  # planted: σ′(a^l)


class UntransposedWeights(PlantedNetwork):
    """BP2 with w^{l+1} instead of (w^{l+1})ᵀ at the planted layer (square w^{l+1})."""

    planted_layer = 2

    def bp2(self, l, delta, z, a):
        if l != self.planted_layer:
            return super().bp2(l, delta, z, a)
        return (delta[l + 1] @ self.w(l + 1).T) * self.sigma(l).derivative(z[l], a[l])  # planted: w, not wᵀ


class WrongLayerWeights(PlantedNetwork):
    """BP2 with the weights of layer l instead of layer l + 1 (equal widths)."""

    planted_layer = 3

    def bp2(self, l, delta, z, a):
        if l != self.planted_layer:
            return super().bp2(l, delta, z, a)
        return (delta[l + 1] @ self.w(l)) * self.sigma(l).derivative(z[l], a[l])  # planted: w^l, not w^{l+1}


class OutputActivationInBP3(PlantedNetwork):
    """BP3 with a^l instead of a^{l−1} at the planted layer (n_l = n_{l−1})."""

    planted_layer = 3

    def bp3(self, l, delta, a, m):
        if l != self.planted_layer:
            return super().bp3(l, delta, a, m)
        return (delta[l] * (1.0 / m)).T @ a[l]  # planted: a^l, not a^{l−1}


class WrongLayerDelta(PlantedNetwork):
    """BP4 with δ of the next layer, δ^{l+1}, at the planted layer (n_l = n_{l+1})."""

    planted_layer = 2

    def bp4(self, l, delta, m):
        if l != self.planted_layer:
            return super().bp4(l, delta, m)
        return total(delta[l + 1] * (1.0 / m), axis=0)  # planted: δ^{l+1}, not δ^l


class BiasSummedOverNeurons(PlantedNetwork):
    """BP4 summed over the wrong axis at the planted layer: over the neurons j, not the samples i.

    Silent only while the batch has as many samples as the layer has neurons.
    """

    planted_layer = 2

    def bp4(self, l, delta, m):
        if l != self.planted_layer:
            return super().bp4(l, delta, m)
        return total(delta[l] * (1.0 / m), axis=1)  # planted: axis=1 (neurons), not axis=0 (samples)


class ForgottenMean(PlantedNetwork):
    """BP3 as the sum over the batch: the 1/m forgotten, in every layer."""

    def bp3(self, l, delta, a, m):
        return delta[l].T @ a[l - 1]  # planted: no 1/m, the gradient of the sum of the costs
