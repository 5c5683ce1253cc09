// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IOracleFeed} from "../interfaces/IVolatilityOracle.sol";

/// @title OracleFeed
/// @notice A Chainlink-shaped feed (AggregatorV3Interface) written by the VolatilityOracle that deploys it.
/// @dev Round ids start at 1 and increase by one per update. The latest round is packed in one slot (one SLOAD for
/// latestRoundData); the last HISTORY rounds are kept in a ring for getRoundData (older rounds: RoundNotFound).
/// startedAt = updatedAt and answeredInRound = roundId (each round is answered at once).
contract OracleFeed is IOracleFeed {
    /// @notice Number of rounds kept for getRoundData.
    uint256 public constant HISTORY = 32;

    struct Round {
        uint64 roundId;
        uint64 updatedAt;
        int128 answer;
    }

    /// @inheritdoc IOracleFeed
    address public immutable override oracle;
    uint8 private immutable _decimals;
    string private _description;

    Round private _latest;
    Round[HISTORY] private _history;

    constructor(uint8 decimals_, string memory description_) {
        oracle = msg.sender;
        _decimals = decimals_;
        _description = description_;
        // Pre-touch the ring so that every update costs the same (non-zero to non-zero writes).
        for (uint256 i; i < HISTORY; ++i) {
            _history[i].updatedAt = 1;
        }
    }

    /// @inheritdoc IOracleFeed
    function record(int256 answer, uint64 updatedAt) external override returns (uint80 roundId) {
        if (msg.sender != oracle) revert NotOracle(msg.sender);
        unchecked {
            roundId = uint80(_latest.roundId + 1);
        }
        Round memory r = Round({roundId: uint64(roundId), updatedAt: updatedAt, answer: int128(answer)});
        _latest = r;
        _history[roundId % HISTORY] = r;
        emit AnswerUpdated(answer, roundId, updatedAt);
    }

    function decimals() external view override returns (uint8) {
        return _decimals;
    }

    function description() external view override returns (string memory) {
        return _description;
    }

    function version() external pure override returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 roundId_)
        external
        view
        override
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        Round memory r = _history[roundId_ % HISTORY];
        if (roundId_ == 0 || r.roundId != roundId_) revert RoundNotFound(roundId_);
        return (roundId_, r.answer, r.updatedAt, r.updatedAt, roundId_);
    }

    /// @dev Before the first update this returns round 0 with answer 0 and updatedAt 0 (stale and non-positive
    /// for any consumer that checks), like an empty Chainlink aggregator.
    function latestRoundData()
        external
        view
        override
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        // the packed _latest word (roundId bits 0..63, updatedAt 64..127, answer 128..255) returned straight from
        // scratch memory (every rebalance reads this)
        assembly {
            let w := sload(_latest.slot)
            roundId := and(w, 0xffffffffffffffff)
            answer := sar(128, w)
            updatedAt := and(shr(64, w), 0xffffffffffffffff)
            startedAt := updatedAt
            answeredInRound := roundId
            mstore(0x00, roundId)
            mstore(0x20, answer)
            mstore(0x40, startedAt)
            mstore(0x60, updatedAt)
            mstore(0x80, answeredInRound)
            return(0x00, 0xa0)
        }
    }
}
