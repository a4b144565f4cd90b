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

`tests/test_template_runtime.py` renders the same templates through these and through Jinja's own, and compares.
"""
from types import FunctionType

from jinja2 import Template
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg, internalcode

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


class ShortImportTemplate(Template):
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
