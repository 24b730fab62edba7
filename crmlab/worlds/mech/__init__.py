"""Generative mechanics shared by the worlds: populations, purchase processes, surveys, tickets..."""
