"""Graded exercises from the lecture notes' quizzes: seeded generators, forgiving answer checking,
hints and worked solutions with the numbers substituted.

One job per module:
  model        Part (an answer box), Exercise, Draw (what a generator is handed), LEVELS
  answers      parse_numbers, format_answer, checking one answer (PartResult, Result)
  generators/  one module per topic (sizes, cells, pooling, layers, matrices, receptive, gradients) and KINDS
  sets         make_exercise, make_set and the URL parameters of a set
  worksheets   printable Markdown and HTML worksheets with the answer key

Every answer is computed by convlab itself (output_size, resolve_padding, conv2d, pool2d, im2col,
conv1d_matrix, conv_layer_stats, receptive_field, conv2d_backward); the tests check those answers
independently against torch or the textbook formula. The same (kind, seed, level) always gives the
same exercise, and make_set() the same set, so a teacher's link gives every student the same questions.

>>> ex = make_exercise("output_size", seed=3, level=1)
>>> ex.check([str(ex.parts[0].answer)]).correct
True
"""

from convlab.classroom.exercises.answers import TOLERANCE, PartResult, Result, format_answer, parse_numbers
from convlab.classroom.exercises.generators import KINDS
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import LEVELS, Draw, Exercise
from convlab.classroom.exercises.sets import make_exercise, make_set, parse_kinds, parse_set_params, set_params
from convlab.classroom.exercises.worksheets import worksheet_html, worksheet_markdown

__all__ = ["KINDS", "LEVELS", "TOLERANCE", "Part", "PartResult", "Result", "Exercise", "Draw", "make_exercise",
           "make_set", "parse_numbers", "parse_kinds", "format_answer", "worksheet_markdown", "worksheet_html",
           "set_params", "parse_set_params"]
