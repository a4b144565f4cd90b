"""Two of Jinja's runtime steps that a page repeats hundreds of times, taken by a shorter path with the same result.

**Calls** (`ShortCallContext`).

Jinja compiles every call in a template – a macro, `_()`, `url_for`, `initials` – to `context.call(obj, ...)`, which
asks each callable twice whether it wants the context, the evaluation context or the environment passed first
(`hasattr(obj, "__call__")`, then a `jinja_pass_arg` lookup on `obj.__call__` and on `obj`), before popping two
internal keywords. A catalog page makes about 700 such calls; that asking cost about 1.3 µs of each.

Here a macro (always `pass_eval_context`) and a plain function (marked or not) are recognised by their exact type and
called as `Context.call` would call them. Everything else – callable objects, functions that want the context (which
may need the loop's or block's variables folded in), the environment – goes to `Context.call` unchanged.

**Imports** (`ShortImportTemplate`). `{% import %}` and `{% from … import %}` without context give the imported
template's module, made once, unless the importing page has globals the imported template lacks. Jinja finds those
as `ctx.globals_keys - self.globals.keys()`: a set minus the keys view of a ChainMap, which Python works out one key
at a time through `Mapping.__contains__` and `ChainMap.__contains__` – about 76 µs for the app's 54 globals, and a
page imports eight times. `set.difference` gives the same set in about 6 µs.

**Escaping output** (`ShortImportTemplate.from_code`). Jinja compiles `{{ value }}` with autoescape to
`escape(value)`, markupsafe's, which wraps every escaped text in a new `Markup` (a str subclass made in Python, about
0.3 µs), only for the compiled code to join it into the page as text at once. A page escapes about a thousand values.
A template's `escape` is here one that gives the same characters as plain `str` (`escape_to_text`); the places that
must hand on markup – macros, `{% set %}` and `{% filter %}` blocks – wrap what they joined in `Markup` themselves.

`tests/test_template_runtime.py` renders the same templates through these and through Jinja's own, and compares.
"""
from types import FunctionType

from jinja2 import Template
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg, internalcode
from markupsafe import escape

try:  # markupsafe's own escaping of a str, without the Markup around it (its C speedups, else its Python version)
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - markupsafe without its compiled speedups, or a later one that moved it
    try:
        from markupsafe._native import _escape_inner
    except ImportError:
        _escape_inner = None

_EVAL_CONTEXT = _PassArg.eval_context


class ShortCallContext(Context):
    @internalcode  # as Context.call: left out of the template tracebacks Jinja rewrites and debuggers show
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - named as Context.call names them, which it may call on
        __traceback_hide__ = True  # noqa: F841 - read by Werkzeug's debugger, as in Context.call
        kind = type(__obj)
        if kind is Macro:
            pass_arg = _EVAL_CONTEXT  # Macro.__call__ is pass_eval_context
        elif kind is FunctionType:
            pass_arg = getattr(__obj, "jinja_pass_arg", None)
            if pass_arg is not None and pass_arg is not _EVAL_CONTEXT:
                return Context.call(__self, __obj, *args, **kwargs)
        else:
            return Context.call(__self, __obj, *args, **kwargs)
        if kwargs:  # Jinja passes the loop's and block's variables to every call inside them; only Context.call reads them
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            if pass_arg is None:
                return __obj(*args, **kwargs)
            return __obj(__self.eval_ctx, *args, **kwargs)
        except StopIteration:  # as Context.call answers it
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


def escape_to_text(value, /) -> str:
    """markupsafe.escape(value) as a plain str: the same characters, without building the Markup a template's output
    discards (markup and objects with `__html__` give their own HTML, anything else its text escaped)."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        html = html()
        return html if type(html) is str else str(html)
    return _escape_inner(str(value))


class ShortImportTemplate(Template):
    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        """Template.from_code, with the compiled module's `escape` – which its output calls and nothing else does
        (jinja2.compiler writes `escape(` only around an output expression) – replaced by escape_to_text."""
        namespace = {"environment": environment, "__file__": code.co_filename}
        exec(code, namespace)
        if _escape_inner is not None and namespace.get("escape") is escape:
            namespace["escape"] = escape_to_text
        template = cls._from_namespace(environment, namespace, globals)
        template._uptodate = uptodate
        return template

    @internalcode
    def _get_default_module(self, ctx=None):
        """Template._get_default_module, with the page's extra globals found by `set.difference` (see above)."""
        if self.environment.is_async:
            raise RuntimeError("Module is not available in async mode.")
        if ctx is not None:
            keys = ctx.globals_keys.difference(self.globals)
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
        if self._module is None:
            self._module = self.make_module()
        return self._module
