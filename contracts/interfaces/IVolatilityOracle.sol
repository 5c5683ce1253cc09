// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IOracleFeed
/// @notice One Chainlink-shaped feed whose rounds are written by its VolatilityOracle.
interface IOracleFeed is AggregatorV3Interface {
    /// @notice The requested round is unknown (zero, in the future, or older than the kept history).
    error RoundNotFound(uint80 roundId);
    /// @notice Only the oracle that created this feed may record rounds.
    error NotOracle(address caller);

    /// @notice A round was recorded (Chainlink's AnswerUpdated shape).
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @notice The VolatilityOracle that writes this feed.
    function oracle() external view returns (address);

    /// @notice Records a new round (oracle only).
    function record(int256 answer, uint64 updatedAt) external returns (uint80 roundId);
}

/// @title IVolatilityOracle
/// @notice A price feed and a volatility feed updated together by an authorised reporter.
interface IVolatilityOracle {
    /// @notice The caller is not the reporter.
    error NotReporter(address caller);
    /// @notice The price is not positive.
    error NonPositiveAnswer(int256 answer);
    /// @notice The volatility is not positive (0 is refused: a consumer reading 0 would quote a zero-width spread).
    error NonPositiveVolatility(int256 answer);
    /// @notice Ownership cannot be renounced (the reporter could never be replaced).
    error RenounceOwnershipDisabled();
    /// @notice An answer does not fit in int128.
    error AnswerOutOfRange(int256 answer);
    /// @notice The reporter is the zero address.
    error InvalidReporter();

    /// @notice The owner set a new reporter.
    event ReporterSet(address indexed previousReporter, address indexed newReporter);
    /// @notice Both feeds received a round.
    event Updated(uint80 priceRoundId, int256 price, uint80 volatilityRoundId, int256 volatility, uint256 updatedAt);

    /// @notice The price feed (AggregatorV3Interface).
    function priceFeed() external view returns (IOracleFeed);
    /// @notice The volatility feed (AggregatorV3Interface).
    function volatilityFeed() external view returns (IOracleFeed);
    /// @notice The account allowed to update.
    function reporter() external view returns (address);
    /// @notice Sets the reporter (owner only).
    function setReporter(address newReporter) external;
    /// @notice Records a price (> 0) and a volatility (> 0) at block.timestamp, both in one call (reporter only):
    /// consumers rely on the two feeds never being written apart (GuardMath.writtenTogether).
    function update(int256 price, int256 volatility) external returns (uint80 priceRoundId, uint80 volatilityRoundId);
}
