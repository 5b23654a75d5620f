"""What a pile of stories says: recurring topics with the quotes that carry them, how they
grew or faded month by month, and the stories that stand apart. Extractive only: every
sentence shown is a sentence of an input text, so the caller decides what text is safe."""
