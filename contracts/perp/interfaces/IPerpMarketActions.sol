// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IPerpMarketActions
/// @notice Functions anyone may call; each acts on msg.sender's account (liquidate on another's).
interface IPerpMarketActions {
    /// @notice Pulls `amount` quote from the caller (approve the market) into the caller's margin.
    function depositMargin(uint256 amount) external;
    /// @notice Sends `amount` of the caller's margin to `to`. Settles funding first; then requires
    /// amount <= margin and, with an open position, equity - amount >= initial margin (BelowInitialMargin).
    function withdrawMargin(uint256 amount, address to) external;
    /// @notice Trades `sizeDelta` base units (> 0 buys, < 0 sells) at the mark price. Settles funding, realises
    /// the PnL of the old position at the mark (margin += value(size, p) - openNotional), charges
    /// fee = ceil(floor(|sizeDelta| * p / 1e36) * tradeFeePips / 1e6), sets openNotional = value(newSize, p).
    /// A trade that does not reduce exposure (|newSize| > |size| or a sign flip) then needs equity >= initial margin
    /// (BelowInitialMargin); a pure reduction is always allowed, and a full close with a negative margin writes
    /// the deficit off as bad debt.
    /// @return fee The fee charged, quote units.
    function trade(int256 sizeDelta) external returns (uint256 fee);
    /// @notice Settles the funding of every whole interval elapsed since lastFundingTime (see PerpMarket).
    /// @return intervals Number of intervals settled (0: nothing to do).
    function settleFunding() external returns (uint256 intervals);
    /// @notice Closes `account`'s position at the mark when its equity < maintenance margin (NotLiquidatable
    /// otherwise). The caller receives penalty = min(floor(notional * liquidationPenaltyPips / 1e6), max(margin, 0))
    /// from the account's margin after the close; a margin still negative is written off as bad debt.
    /// @return penalty Paid to the caller, quote units.
    /// @return deficit Bad debt written off, quote units.
    function liquidate(address account) external returns (uint256 penalty, uint256 deficit);
}
