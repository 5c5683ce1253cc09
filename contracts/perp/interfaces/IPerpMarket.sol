// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IPerpMarketActions} from "./IPerpMarketActions.sol";
import {IPerpMarketState} from "./IPerpMarketState.sol";
import {IPerpMarketEvents} from "./IPerpMarketEvents.sol";
import {IPerpMarketErrors} from "./IPerpMarketErrors.sol";

/// @title IPerpMarket
/// @notice The whole PerpMarket interface.
interface IPerpMarket is IPerpMarketActions, IPerpMarketState, IPerpMarketEvents, IPerpMarketErrors {}
