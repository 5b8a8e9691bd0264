"""Training: the loop that applies BP1–BP4 and the update rule batch after batch.

loop             train(): epochs of mini-batches, early stopping, divergence
state            History, TrainingState: what train returns and what callbacks see
batch_plans      BatchPlan: which rows make each batch (OneProcess; DataParallel under MPI)
resume           saving a checkpoint from the loop's position, and continuing from one
checkpoints      Checkpointer, Checkpoint, save/load: what a checkpoint holds (resume bit for bit)
checkpoint_file  the checkpoint file's layout, read back with every part checked
distributed      data-parallel training over MPI ranks
monitors         LayerStats: per-layer |δ| and |∂C/∂w| per epoch
diagnostics      Diagnostics: saturation, vanishing/exploding gradients, step size
progress         ProgressBar: a callback that draws the run in the terminal
"""
