// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IUniswapV3PoolMinimal} from "../interfaces/uniswap/IUniswapV3.sol";

/// @title UniswapV3PoolCalls
/// @notice The calls UniswapV3PositionManager's rebalance makes to a Uniswap v3 pool, encoded by hand in scratch memory
/// (no memory allocation, no ABI decoder for the values it does not use): the same calls, arguments and results as
/// the typed interface's, for less gas on the hot path.
/// @dev Every call bubbles the pool's revert data unchanged (as a high-level call does); a result shorter than the
/// interface's, or a used value outside its type, reverts with empty data (as the ABI decoder does). Arguments are
/// cleaned to their types before they are written (inline assembly sees dirty high bits of narrow types).
library UniswapV3PoolCalls {
    /// @notice The pool's tick cumulatives secondsAgo seconds ago and now: observe([secondsAgo, 0]).
    function tickCumulatives(address pool, uint32 secondsAgo) internal view returns (int56 then, int56 current) {
        bytes4 selector = IUniswapV3PoolMinimal.observe.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), 0x20)
            mstore(add(ptr, 0x24), 2)
            mstore(add(ptr, 0x44), and(secondsAgo, 0xffffffff))
            mstore(add(ptr, 0x64), 0)
            if iszero(staticcall(gas(), pool, ptr, 0x84, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            // (int56[] tickCumulatives, uint160[] ...): the first head word is the offset of [length, c0, c1]
            if lt(returndatasize(), 0x40) { revert(0, 0) }
            returndatacopy(ptr, 0, 0x20)
            let offset := mload(ptr)
            if or(gt(offset, 0xffffffff), gt(add(offset, 0x60), returndatasize())) { revert(0, 0) }
            returndatacopy(ptr, offset, 0x60)
            if iszero(eq(mload(ptr), 2)) { revert(0, 0) }
            then := mload(add(ptr, 0x20))
            current := mload(add(ptr, 0x40))
            if iszero(and(eq(signextend(6, then), then), eq(signextend(6, current), current))) { revert(0, 0) }
        }
    }

    /// @notice slot0's sqrtPriceX96, tick, observationIndex and observationCardinality (one call, one storage slot).
    function slot0(address pool)
        internal
        view
        returns (uint160 price, int24 tick, uint16 observationIndex, uint16 observationCardinality)
    {
        bytes4 selector = IUniswapV3PoolMinimal.slot0.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            if iszero(staticcall(gas(), pool, ptr, 0x04, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0xe0) { revert(0, 0) }
            returndatacopy(ptr, 0, 0x80)
            price := mload(ptr)
            tick := mload(add(ptr, 0x20))
            observationIndex := mload(add(ptr, 0x40))
            observationCardinality := mload(add(ptr, 0x60))
            if or(or(shr(160, price), iszero(eq(signextend(2, tick), tick))),
                or(shr(16, observationIndex), shr(16, observationCardinality))) { revert(0, 0) }
        }
    }

    /// @notice observations(index)'s blockTimestamp, tickCumulative and initialized.
    function observation(address pool, uint256 index)
        internal
        view
        returns (uint32 blockTimestamp, int56 tickCumulative, bool initialized)
    {
        bytes4 selector = IUniswapV3PoolMinimal.observations.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), index)
            if iszero(staticcall(gas(), pool, ptr, 0x24, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x80) { revert(0, 0) }
            returndatacopy(ptr, 0, 0x80)
            blockTimestamp := mload(ptr)
            tickCumulative := mload(add(ptr, 0x20))
            initialized := mload(add(ptr, 0x60))
            if or(or(shr(32, blockTimestamp), iszero(eq(signextend(6, tickCumulative), tickCumulative))), gt(initialized, 1)) {
                revert(0, 0)
            }
        }
    }

    /// @notice The liquidity the pool records for this contract's position on [tickLower, tickUpper]: positions(key)
    /// with Uniswap's key keccak256(abi.encodePacked(address(this), tickLower, tickUpper)).
    function positionLiquidity(address pool, int24 tickLower, int24 tickUpper) internal view returns (uint128 liquidity) {
        bytes4 selector = IUniswapV3PoolMinimal.positions.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            // packed: address (bytes 0..19), tickLower (20..22), tickUpper (23..25), each int24 in two's complement
            mstore(ptr, or(shl(96, address()), or(shl(72, and(tickLower, 0xffffff)), shl(48, and(tickUpper, 0xffffff)))))
            let key := keccak256(ptr, 26)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), key)
            if iszero(staticcall(gas(), pool, ptr, 0x24, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0xa0) { revert(0, 0) }
            returndatacopy(ptr, 0, 0x20)
            let l := mload(ptr)
            if shr(128, l) { revert(0, 0) }
            liquidity := l
        }
    }

    /// @notice slot0's sqrtPriceX96.
    function sqrtPriceX96(address pool) internal view returns (uint160 price) {
        bytes4 selector = IUniswapV3PoolMinimal.slot0.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            if iszero(staticcall(gas(), pool, ptr, 0x04, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0xe0) { revert(0, 0) }
            returndatacopy(ptr, 0, 0x20)
            price := mload(ptr)
            if shr(160, price) { revert(0, 0) }
        }
    }

    /// @notice burn(tickLower, tickUpper, liquidity) (its principal amounts are collected next, so they are not returned).
    function burn(address pool, int24 tickLower, int24 tickUpper, uint128 liquidity) internal {
        bytes4 selector = IUniswapV3PoolMinimal.burn.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), signextend(2, tickLower))
            mstore(add(ptr, 0x24), signextend(2, tickUpper))
            mstore(add(ptr, 0x44), and(liquidity, 0xffffffffffffffffffffffffffffffff))
            if iszero(call(gas(), pool, 0, ptr, 0x64, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x40) { revert(0, 0) }
        }
    }

    /// @notice collect(address(this), tickLower, tickUpper, max, max): everything the position is owed, to this contract.
    function collectAll(address pool, int24 tickLower, int24 tickUpper) internal returns (uint256 amount0, uint256 amount1) {
        bytes4 selector = IUniswapV3PoolMinimal.collect.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let max128 := 0xffffffffffffffffffffffffffffffff
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), address())
            mstore(add(ptr, 0x24), signextend(2, tickLower))
            mstore(add(ptr, 0x44), signextend(2, tickUpper))
            mstore(add(ptr, 0x64), max128)
            mstore(add(ptr, 0x84), max128)
            if iszero(call(gas(), pool, 0, ptr, 0xa4, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x40) { revert(0, 0) }
            returndatacopy(ptr, 0, 0x40)
            amount0 := mload(ptr)
            amount1 := mload(add(ptr, 0x20))
            if or(gt(amount0, max128), gt(amount1, max128)) { revert(0, 0) }
        }
    }

    /// @notice mint(address(this), tickLower, tickUpper, liquidity, ""): the amounts the pool took through the callback.
    function mint(address pool, int24 tickLower, int24 tickUpper, uint128 liquidity)
        internal
        returns (uint256 amount0, uint256 amount1)
    {
        bytes4 selector = IUniswapV3PoolMinimal.mint.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), address())
            mstore(add(ptr, 0x24), signextend(2, tickLower))
            mstore(add(ptr, 0x44), signextend(2, tickUpper))
            mstore(add(ptr, 0x64), and(liquidity, 0xffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 0x84), 0xa0) // data: empty bytes
            mstore(add(ptr, 0xa4), 0)
            if iszero(call(gas(), pool, 0, ptr, 0xc4, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x40) { revert(0, 0) }
            returndatacopy(ptr, 0, 0x40)
            amount0 := mload(ptr)
            amount1 := mload(add(ptr, 0x20))
        }
    }
}
