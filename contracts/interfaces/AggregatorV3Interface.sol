// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title AggregatorV3Interface
/// @notice Chainlink's feed interface (same signatures as @chainlink/contracts), so a real feed can stand in.
interface AggregatorV3Interface {
    /// @notice Number of decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice Human-readable description of the feed.
    function description() external view returns (string memory);

    /// @notice Version of the feed implementation.
    function version() external view returns (uint256);

    /// @notice Data of a given round.
    function getRoundData(uint80 _roundId)
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Data of the latest round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
