"""Teaching: every number of a forward and backward pass, shown in English and Chinese.

explanation   explain(): a Trace of one pass, rendered as text, Markdown or HTML
quiz          numeric questions from a real trace; worksheets and answer keys
"""
