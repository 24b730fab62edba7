"""Generative mechanics shared by the worlds: populations, purchase processes, surveys, tickets...

- :mod:`.population` — latent segments from a declarative table (``draw_segments``), readable ids.
- :mod:`.purchases` — BG/NBD purchase times (``bgnbd_draw``), Gamma-Gamma spend, weeks → dates.
- :mod:`.sampling` — many Gamma or Beta draws from one fixed distribution, by numerical inversion.
- :mod:`.outcomes` — logistic 0/1 outcomes (``logit_draw``) and Likert answers from a latent score.
- further modules (surveys, tickets, baskets) build on these.

Every function takes the ``numpy.random.Generator`` it draws from as its first argument and is vectorised
over entities; the worlds' snapshots depend on their exact output, so a change in what a function draws
for a given generator state is a change of every world that uses it (regenerate the snapshots).
"""
