"""The batch grader of the lessons' exercises: ``python -m tools.grading SUBMISSIONS`` (``make grade``).

``batch`` grades a folder (one process per submission) and writes the grade sheet and feedback;
``worker`` grades one submission; ``kernel_side`` is the grader's code inside a submission's kernel;
``hidden`` holds the hidden inputs of the function exercises; ``corpus`` builds synthetic
submissions for tests and timing.
"""
