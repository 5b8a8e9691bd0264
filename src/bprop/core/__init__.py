"""The math: the network of the derivation and everything BP1–BP4 need.

    network       Network: feedforward, backprop (BP1–BP4), evaluate
    parameters    the shapes and count of w^l and b^l, and the lists that hold them
    activations   σ and σ′, one record each;  costs: C and ∇_a C, one record each
    initializers  the first weights;  optimizers: the update rule (SGD, Momentum, Nesterov, Adam)
    gradcheck     finite differences against backprop
    backend       the array library of the arrays (NumPy, PyTorch, CuPy) and its device
    fast          NumPy's measured fast paths, named for what they compute (A Wᵀ, max(0, z), …)
    arguments     checks of arguments at the edge, with messages that name the fix

This layer imports nothing from the rest of bprop but ``bprop.errors`` (the one
exception, ``Network.save``, is named in pyproject's layers contract). It never
prints and never touches files.
"""
