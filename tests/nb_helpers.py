"""Small notebooks the tests write (imported by name: conftest modules of two folders would clash)."""


def write_notebook(path, params_src, body_src):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(params_src)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(body_src)]
    nbformat.write(nb, str(path))
