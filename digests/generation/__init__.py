"""Draft generation: fetch feeds, merge and rank stories, have a writer draft the digest."""
