// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IManagedPoolActions} from "./IManagedPoolActions.sol";
import {IManagedPoolVaultActions} from "./IManagedPoolVaultActions.sol";
import {IManagedPoolState} from "./IManagedPoolState.sol";
import {IManagedPoolEvents} from "./IManagedPoolEvents.sol";
import {IManagedPoolErrors} from "./IManagedPoolErrors.sol";

/// @title IManagedPool
/// @notice The whole ManagedPool interface.
interface IManagedPool is
    IManagedPoolActions,
    IManagedPoolVaultActions,
    IManagedPoolState,
    IManagedPoolEvents,
    IManagedPoolErrors
{}
