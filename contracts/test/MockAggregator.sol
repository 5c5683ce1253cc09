// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title MockAggregator
/// @notice Test feed whose round can be set freely: stale (old updatedAt), zero or negative answers, or reverting reads.
contract MockAggregator is AggregatorV3Interface {
    /// @notice Raised by latestRoundData and getRoundData while `reverting` is set (a feed that fails on read).
    error FeedReverted();

    uint8 public override decimals;
    string public override description;
    uint80 public roundId;
    int256 public answer;
    uint256 public updatedAt;
    /// @notice While true, reading a round reverts with FeedReverted (decimals and description still answer).
    bool public reverting;

    constructor(uint8 decimals_, string memory description_, int256 answer_) {
        decimals = decimals_;
        description = description_;
        _set(answer_, block.timestamp);
    }

    /// @notice New round with `answer_` at the current block time.
    function setAnswer(int256 answer_) external {
        _set(answer_, block.timestamp);
    }

    /// @notice New round with `answer_` stamped at `updatedAt_` (use an old time to go stale).
    function setRound(int256 answer_, uint256 updatedAt_) external {
        _set(answer_, updatedAt_);
    }

    /// @notice Changes only the timestamp of the current round.
    function setUpdatedAt(uint256 updatedAt_) external {
        updatedAt = updatedAt_;
    }

    /// @notice Makes round reads revert (true) or answer again (false).
    function setReverting(bool reverting_) external {
        reverting = reverting_;
    }

    function version() external pure override returns (uint256) {
        return 4;
    }

    function getRoundData(uint80 id)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        if (reverting) revert FeedReverted();
        return (id, answer, updatedAt, updatedAt, id);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        if (reverting) revert FeedReverted();
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    function _set(int256 answer_, uint256 updatedAt_) private {
        roundId++;
        answer = answer_;
        updatedAt = updatedAt_;
    }
}
