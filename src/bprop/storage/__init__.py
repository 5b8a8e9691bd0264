"""Files: the ZIP archive format, model files, atomic writes.

files      atomic_write, write_json, fsync_folder: a file is whole or absent
archive    the ZIP of .npy arrays + a JSON header, checked before it is trusted
modelfile  save/load a Network (never unpickles)
"""
