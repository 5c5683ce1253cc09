// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IPerpMarketEvents
/// @notice Events of PerpMarket: every change of an account or of the funding index emits one.
interface IPerpMarketEvents {
    /// @notice `amount` quote was added to `account`'s margin.
    event MarginDeposited(address indexed account, uint256 amount);
    /// @notice `amount` quote left `account`'s margin for `to`.
    event MarginWithdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice Funding of `intervals` intervals was settled at `rateWad` per interval (mark `markPrice`);
    /// fundingIndex is the new cumulative index, lastFundingTime the new start of the unsettled interval.
    event FundingSettled(uint256 intervals, int256 rateWad, uint256 markPrice, int256 fundingIndex, uint256 lastFundingTime);
    /// @notice `account` paid `amount` funding (negative: received) when its funding was settled.
    event FundingPaid(address indexed account, int256 amount);
    /// @notice `account` traded `sizeDelta` at `markPrice`: realised PnL of the old position and the fee.
    event Traded(address indexed account, int256 sizeDelta, int256 newSize, uint256 markPrice, int256 realizedPnl, uint256 fee);
    /// @notice `account`'s position `size` was closed at `markPrice` by `liquidator`.
    event Liquidated(address indexed account, address indexed liquidator, int256 size, uint256 markPrice, int256 realizedPnl, uint256 penalty, uint256 badDebt);
    /// @notice `amount` of negative margin of `account` was written off.
    event BadDebt(address indexed account, uint256 amount);
}
