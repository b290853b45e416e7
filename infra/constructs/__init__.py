"""The CDK constructs of Trove's stack, one per concern.

Every name, key prefix, index and limit comes from `functions.core.topology`, the declaration the
local stack reads too; nothing here declares its own.
"""
