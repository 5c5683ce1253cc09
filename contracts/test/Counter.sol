// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title Counter
/// @notice A sample contract for the toolchain, the demo and the Ethereum layer's end-to-end tests.
contract Counter {
    /// @notice The current count.
    uint256 public count;
    /// @notice The account that last changed the count.
    address public lastCaller;
    /// @notice A label set at deployment.
    string public label;

    /// @notice Emitted whenever the count changes.
    event Incremented(address indexed by, uint256 amount, uint256 newCount);

    /// @notice Thrown when an increment of zero is asked for.
    error ZeroAmount();
    /// @notice Thrown when the count would pass its limit.
    error LimitExceeded(uint256 requested, uint256 limit);

    uint256 public constant LIMIT = 1_000_000;

    constructor(string memory label_, uint256 start) {
        label = label_;
        count = start;
    }

    /// @notice Adds `amount` to the count.
    function increment(uint256 amount) external returns (uint256) {
        if (amount == 0) revert ZeroAmount();
        if (count + amount > LIMIT) revert LimitExceeded(count + amount, LIMIT);
        count += amount;
        lastCaller = msg.sender;
        emit Incremented(msg.sender, amount, count);
        return count;
    }

    /// @notice Always reverts with a reason string.
    function failWithReason(string calldata reason) external pure {
        revert(reason);
    }

    /// @notice Reverts with a Panic (division by zero) when `d` is zero.
    function divide(uint256 n, uint256 d) external pure returns (uint256) {
        return n / d;
    }
}
