// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {
    IUniswapV3PoolMinimal, IUniswapV3MintCallback, IUniswapV3SwapCallback
} from "../interfaces/uniswap/IUniswapV3.sol";

/// @title UniswapV3Callee
/// @notice Test-only position manager and swapper for Uniswap v3's own pool — the gas peer of ManagedPool.
/// The callee owns the positions it mints. Callbacks pay from `payer` (encoded in data): the callee's own balance
/// when payer is the callee, otherwise transferFrom(payer) (approve the callee). Callbacks trust msg.sender (test
/// only — never hold real funds here).
contract UniswapV3Callee is IUniswapV3MintCallback, IUniswapV3SwapCallback {
    using SafeERC20 for IERC20;

    /// @notice Mints `liquidity` on [tickLower, tickUpper] for the callee, paid by msg.sender.
    function mint(address pool, int24 tickLower, int24 tickUpper, uint128 liquidity)
        external
        returns (uint256 amount0, uint256 amount1)
    {
        return IUniswapV3PoolMinimal(pool).mint(address(this), tickLower, tickUpper, liquidity, abi.encode(msg.sender));
    }

    /// @notice Swaps on the pool, paid by msg.sender, output to `recipient`. amountSpecified > 0: exact input.
    function swap(address pool, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, address recipient)
        external
        returns (int256 amount0, int256 amount1)
    {
        return IUniswapV3PoolMinimal(pool).swap(
            recipient, zeroForOne, amountSpecified, sqrtPriceLimitX96, abi.encode(msg.sender)
        );
    }

    /// @notice The peer of ManagedPool's reposition in one transaction: burn the whole position, collect its tokens
    /// and fees to the callee, mint `newLiquidity` on the new range paid from the callee's balance (pre-fund it).
    function reposition(
        address pool,
        int24 oldLower,
        int24 oldUpper,
        uint128 oldLiquidity,
        int24 newLower,
        int24 newUpper,
        uint128 newLiquidity
    ) external returns (uint256 amount0, uint256 amount1) {
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(pool);
        p.burn(oldLower, oldUpper, oldLiquidity);
        p.collect(address(this), oldLower, oldUpper, type(uint128).max, type(uint128).max);
        return p.mint(address(this), newLower, newUpper, newLiquidity, abi.encode(address(this)));
    }

    /// @notice Burns and collects to `recipient` (separate-transaction variant).
    function burnAndCollect(address pool, int24 tickLower, int24 tickUpper, uint128 liquidity, address recipient)
        external
        returns (uint128 amount0, uint128 amount1)
    {
        IUniswapV3PoolMinimal(pool).burn(tickLower, tickUpper, liquidity);
        return IUniswapV3PoolMinimal(pool).collect(recipient, tickLower, tickUpper, type(uint128).max, type(uint128).max);
    }

    /// @inheritdoc IUniswapV3MintCallback
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata data) external override {
        address payer = abi.decode(data, (address));
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(msg.sender);
        if (amount0Owed != 0) _pay(p.token0(), payer, amount0Owed);
        if (amount1Owed != 0) _pay(p.token1(), payer, amount1Owed);
    }

    /// @inheritdoc IUniswapV3SwapCallback
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external override {
        address payer = abi.decode(data, (address));
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(msg.sender);
        if (amount0Delta > 0) _pay(p.token0(), payer, uint256(amount0Delta));
        if (amount1Delta > 0) _pay(p.token1(), payer, uint256(amount1Delta));
    }

    function _pay(address token, address payer, uint256 amount) private {
        if (payer == address(this)) IERC20(token).safeTransfer(msg.sender, amount);
        else IERC20(token).safeTransferFrom(payer, msg.sender, amount);
    }
}
