// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AggregatorV3Interface} from "../../interfaces/AggregatorV3Interface.sol";

/// @title IPerpMarketState
/// @notice Read-only state of PerpMarket, and its parameter and account structs.
interface IPerpMarketState {
    /// @notice The market's fixed parameters (set once in the constructor).
    /// @param quoteToken Margin and settlement token (a plain ERC-20: no fee on transfer, no rebasing).
    /// @param baseToken The base asset (never held; only its decimals() are read).
    /// @param markFeed Mark price of one whole base in whole quote (AggregatorV3Interface; decimals <= 36).
    /// @param indexFeed Index price feed, same unit; zero = funding at the configured rate instead of the premium.
    /// @param heartbeat Maximum age of a feed answer, seconds (> 0).
    /// @param fundingInterval Seconds per funding interval (> 0).
    /// @param fundingRateWad Funding rate per interval, 1e18 = 100% (used when indexFeed is zero; > 0: longs pay).
    /// @param tradeFeePips Trading fee on the traded notional, pips (1e6 = 100%), < 1e6.
    /// @param initialMarginPips Initial margin ratio, pips: maintenance < initial <= 1e6.
    /// @param maintenanceMarginPips Maintenance margin ratio, pips (> 0).
    /// @param liquidationPenaltyPips Liquidation penalty on the closed notional, pips (paid to the liquidator),
    /// <= maintenance.
    struct MarketParams {
        IERC20 quoteToken;
        address baseToken;
        AggregatorV3Interface markFeed;
        AggregatorV3Interface indexFeed;
        uint32 heartbeat;
        uint32 fundingInterval;
        int64 fundingRateWad;
        uint24 tradeFeePips;
        uint24 initialMarginPips;
        uint24 maintenanceMarginPips;
        uint24 liquidationPenaltyPips;
    }

    /// @notice An account as stored (funding not yet settled).
    /// @param margin Realised quote balance: deposits - withdrawals + realised PnL - fees - funding paid; >= 0
    /// whenever the account has no position (a negative remainder is written off as bad debt).
    /// @param size Signed position in base units (> 0 long, < 0 short).
    /// @param openNotional Signed quote value of `size` at the last trade's mark: value(size, price) (see PerpMarket).
    /// @param fundingIndex The cumulative funding index when the account was last settled.
    struct Account {
        int256 margin;
        int256 size;
        int256 openNotional;
        int256 fundingIndex;
    }

    /// @notice An account seen at the current mark price with its funding settled as it would be now.
    /// @param margin margin after pending funding.
    /// @param size Signed position, base units.
    /// @param markPrice Mark price, quote units per base unit scaled by 1e36.
    /// @param unrealizedPnl value(size, markPrice) - openNotional.
    /// @param equity margin + unrealizedPnl.
    /// @param notional |value(size, markPrice)|.
    /// @param initialMargin ceil(notional * initialMarginPips / 1e6).
    /// @param maintenanceMargin ceil(notional * maintenanceMarginPips / 1e6).
    struct AccountView {
        int256 margin;
        int256 size;
        uint256 markPrice;
        int256 unrealizedPnl;
        int256 equity;
        uint256 notional;
        uint256 initialMargin;
        uint256 maintenanceMargin;
    }

    /// @notice The market's parameters.
    function params() external view returns (MarketParams memory);
    /// @notice The stored account (funding not settled).
    function accountOf(address account) external view returns (Account memory);
    /// @notice The account at the current mark with funding settled as of now (reverts like trade on a bad feed).
    function accountView(address account) external view returns (AccountView memory);
    /// @notice Mark price in quote units per base unit, scaled by 1e36 (fresh and > 0, else StalePrice /
    /// NonPositivePrice).
    function markPrice() external view returns (uint256);
    /// @notice Index price, same unit (IndexFeedNotSet without an index feed).
    function indexPrice() external view returns (uint256);
    /// @notice Cumulative funding index (quote units per base unit scaled by 1e36) as last settled.
    function fundingIndex() external view returns (int256);
    /// @notice Start of the first unsettled funding interval.
    function lastFundingTime() external view returns (uint256);
    /// @notice Sum of trading fees collected, quote units.
    function feesCollected() external view returns (uint256);
    /// @notice Sum of bad debt written off (negative margins of closed positions), quote units.
    function badDebt() external view returns (uint256);
}
