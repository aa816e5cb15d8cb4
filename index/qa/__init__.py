"""Answering questions over an index: understanding, retrieval for a question, answers and refusals."""

from index.qa.answerer import Answer, Answerer, answer, answerer_for
from index.qa.understand import Places, Question, read_question

__all__ = ["Answer", "Answerer", "Places", "Question", "answer", "answerer_for", "read_question"]
