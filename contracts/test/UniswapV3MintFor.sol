// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IUniswapV3PoolMinimal, IUniswapV3MintCallback} from "../interfaces/uniswap/IUniswapV3.sol";

/// @title UniswapV3MintFor
/// @notice Test-only: mints Uniswap v3 liquidity for any recipient, paid by msg.sender (approve this contract) — what
/// anyone may do to another owner's position key, e.g. UniswapV3PositionManager's.
contract UniswapV3MintFor is IUniswapV3MintCallback {
    using SafeERC20 for IERC20;

    /// @notice Mints `liquidity` on [tickLower, tickUpper] for `recipient`, paid by msg.sender.
    function mintFor(address pool, address recipient, int24 tickLower, int24 tickUpper, uint128 liquidity)
        external
        returns (uint256 amount0, uint256 amount1)
    {
        return IUniswapV3PoolMinimal(pool).mint(recipient, tickLower, tickUpper, liquidity, abi.encode(msg.sender));
    }

    /// @inheritdoc IUniswapV3MintCallback
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata data) external override {
        address payer = abi.decode(data, (address));
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(msg.sender);
        if (amount0Owed != 0) IERC20(p.token0()).safeTransferFrom(payer, msg.sender, amount0Owed);
        if (amount1Owed != 0) IERC20(p.token1()).safeTransferFrom(payer, msg.sender, amount1Owed);
    }
}
