# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module of this collection in the controller's worker process instead of as an AnsiballZ module.

Every module of the collection only talks HTTPS to Partner Center, Entra or APS, and runs on the
controller (``connection: local``). Started the usual way, each task pays for a new Python process, the
AnsiballZ payload, ``ansible.module_utils.basic`` and ``requests`` again: about 0.4 s of controller CPU
per task and host, measured in ``benchmarks/``, against some 20 ms for the HTTP work itself. Bulk runs
of hundreds of tenants spend most of their time there.

One action class, :class:`InProcessModuleAction`, is every module's action plugin (each
``plugins/action/<module>.py`` only names it, see below); it finds the module's ``DEFINITION`` from the
task, validates the task's
arguments with the same argument spec
(``ArgumentSpecValidator``, as ``AnsibleModule`` does), runs the same desired-state function through the
same :class:`CspTask`, and masks ``no_log`` values as ``AnsibleModule.exit_json`` does. The linear
strategy loads action plugins in the main process, so ``requests`` and the collection's code are
imported once there and inherited by every forked worker.

It falls back to the ordinary module run whenever that could behave differently: a connection other
than ``local`` (the task targets another machine), ``async``, a controller Python without the
libraries, or the variable ``csp_onboarding_in_process: false``.

Why a file per module rather than ``plugin_routing`` of every module to one action plugin in
``meta/runtime.yml``: ansible-core would accept either, but antsibull-docs merges action routing into
module routing and then documents each routed module as a redirect, without its options.

This file is private to the collection.
"""

import importlib
import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.csp.onboarding.plugins.module_utils._compare import SecretMasker
from ansible_collections.csp.onboarding.plugins.module_utils._module import CspTask, missing_library

IN_PROCESS_VARIABLE = "csp_onboarding_in_process"
COLLECTION = "csp.onboarding"
MODULES_PACKAGE = "ansible_collections.csp.onboarding.plugins.modules"


def module_definition(name):
    """The ``ModuleDefinition`` of the collection's module ``name`` (a resolved FQCN), or None for another.

    The module file is imported by its resolved name, never from a list kept here.
    """
    namespace, _dot, short = name.rpartition(".")
    if namespace != COLLECTION or not short.isidentifier():
        return None
    try:
        module = importlib.import_module("%s.%s" % (MODULES_PACKAGE, short))
    except ImportError:
        return None
    return getattr(module, "DEFINITION", None)


def plain(data):
    """``data`` with only built-in types (str, int, float, bool, None, dict, list), as JSON would carry it."""
    if isinstance(data, dict):
        return dict((plain(key), plain(value)) for key, value in data.items())
    if isinstance(data, (list, tuple)):
        return [plain(item) for item in data]
    if isinstance(data, str):
        return str(data)
    if isinstance(data, bool):
        return bool(data)
    if isinstance(data, int):
        return int(data)
    if isinstance(data, float):
        return float(data)
    return data


class CoreInternals(object):
    """The few ansible-core internals the in-process path needs, each wrapped here with why.

    They have the same names and meaning from ansible-core 2.16 to 2.19 (``make compat`` runs the
    execution-path tests on both); an upgrade that changes one fails there, in one place.
    """

    @staticmethod
    def apply_task_environment(action):
        # The task's ``environment:`` as the module would see it, set in this worker process so that the
        # options' env fallbacks see it (the process exists for this one task, so nothing else is affected).
        # ActionBase computes it for the module's command line; there is no public accessor.
        environment = {}
        action._compute_environment_string(environment)
        os.environ.update((str(key), str(value)) for key, value in environment.items())

    @staticmethod
    def module_name(action):
        # The task's module, resolved as ansible-core resolves it (``customer_user`` with ``collections:``,
        # a redirect): ``task.resolved_action`` names this action plugin once routing has redirected here.
        context = action._shared_loader_obj.module_loader.find_plugin_with_context(
            action._task.action, collection_list=action._task.collections)
        return context.resolved_fqcn if context.resolved else action._task.action

    @staticmethod
    def remove_module_tmp(action):
        # What the ``normal`` action plugin does after a module run: remove the remote tmp dir.
        action._remove_tmp_path(action._connection._shell.tmpdir)

    @staticmethod
    def no_log_values(validation):
        # The values of no_log options, which AnsibleModule keeps on itself and masks on exit;
        # ArgumentSpecValidator computes them but exposes them only on its result's private field.
        return validation._no_log_values

    @staticmethod
    def alias_warnings(validation):
        return getattr(validation, "_warnings", [])

    @staticmethod
    def deprecations(validation):
        return getattr(validation, "_deprecations", [])

    @staticmethod
    def module_args_with_defaults(action, module_name, args):
        # The module_defaults (action groups included) that a task of ``module_name`` would get: ansible-core
        # applies them to a task's own module only. Its action plugins that run other modules (gather_facts,
        # package, service) call the same function, renamed in 2.19.
        try:
            from ansible.executor.module_common import _apply_action_arg_defaults
        except ImportError:  # ansible-core 2.16 to 2.18
            from ansible.executor.module_common import get_action_args_with_defaults
            return get_action_args_with_defaults(module_name, args, action._task.module_defaults, action._templar,
                                                 action_groups=action._task._parent._play._action_groups)
        return _apply_action_arg_defaults(module_name, action._task, args, action._templar)


class InProcessModuleAction(ActionBase):
    """The action plugin of every module: runs the module's definition in this process when it is safe to."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(InProcessModuleAction, self).run(tmp, task_vars)
        module_name = CoreInternals.module_name(self)
        definition = module_definition(module_name)
        if definition is None or not self._runs_in_process(definition, task_vars):
            # What the ``normal`` action plugin does for any module.
            wrap_async = self._task.async_val and not self._connection.has_native_async
            result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                CoreInternals.remove_module_tmp(self)
            return result
        CoreInternals.apply_task_environment(self)
        result.update(self._run_definition(module_name, definition))
        return result

    def _runs_in_process(self, definition, task_vars):
        if not boolean(task_vars.get(IN_PROCESS_VARIABLE, True), strict=False):
            return False
        if self._task.async_val or self._connection.transport != "local":
            return False
        # The libraries the module would import on the target: without them here, the module may still
        # find them in the target's interpreter, and says so plainly if it does not.
        return missing_library(definition.connection, self._task.args) is None

    def _run_definition(self, module_name, definition):
        params, no_log_values, failure, notes = validated_arguments(definition, self._task.args, module_name)
        if failure is not None:
            return failure
        task = CspTask(params, definition.connection, check_mode=bool(self._task.check_mode),
                       diff=bool(self._task.diff), secret_keys=definition.secret_keys, secret_values=no_log_values)
        failure, outcome = task.execute(definition.work)
        result = dict(failure, failed=True) if failure is not None else outcome
        result["invocation"] = {"module_args": params}
        for key, values in notes.items():
            result.setdefault(key, []).extend(values)
        # What AnsibleModule.exit_json does (no value of a no_log option, wherever it appears), in time
        # linear in the result (remove_values grows with values x strings: 83 s for 10,000 users), and
        # for the other spellings of each value too.
        return task.masker.mask(result)


class ControllerAction(ActionBase):
    """The base of the actions that run only in the controller's worker: tenant_onboarding, onboarding_report."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    MODULE = None
    # Why the task needs connection: local, in the words of the module's error.
    ON_THE_CONTROLLER = ""

    def checked_arguments(self, result):
        """``(params, None)``, or ``(None, a failed result)`` for another connection or arguments the spec refuses."""
        if self._connection.transport != "local":
            return None, dict(result, failed=True, msg="%s %s" % (self.MODULE, self.ON_THE_CONTROLLER))
        params, _no_log, failure, _notes = validated_arguments(module_definition(self.MODULE), self._task.args,
                                                               self.MODULE)
        if failure is not None:
            return None, dict(result, **failure)
        return params, None


def validated_arguments(definition, args, module_name):
    """Validate ``args`` against the module's spec, as ``AnsibleModule`` does.

    Returns ``(params, no_log_values, failure, notes)``: the validated parameters, the values of its ``no_log``
    options, a failed result (or None) and the warnings and deprecations AnsibleModule would add.
    """
    validator = ArgumentSpecValidator(definition.argument_spec, **definition.validation)
    # Plain values, as a module receives them through JSON: the validator deep-copies its input, and
    # copying ansible-core's tagged strings of 10,000 users costs seconds.
    validation = validator.validate(plain(args))
    no_log_values = CoreInternals.no_log_values(validation)
    if validation.error_messages:
        error = validation.errors[0]
        msg = validation.errors.msg
        if isinstance(error, UnsupportedError):
            msg = "Unsupported parameters for (%s) module: %s" % (module_name, msg)
        return None, no_log_values, dict(failed=True, msg=SecretMasker(no_log_values).text(msg)), {}
    notes = {}
    # The words AnsibleModule uses for the same findings.
    if CoreInternals.alias_warnings(validation):
        notes["warnings"] = ["Both option %s and its alias %s are set." % (warning["option"], warning["alias"])
                             for warning in CoreInternals.alias_warnings(validation)]
    if CoreInternals.deprecations(validation):
        notes["deprecations"] = [dict((key, value) for key, value in deprecation.items()
                                      if key in ("msg", "version", "date", "collection_name"))
                                 for deprecation in CoreInternals.deprecations(validation)]
    return validation.validated_parameters, no_log_values, None, notes
