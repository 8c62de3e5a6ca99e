// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @dev Typed ids shared by the suite's contracts, so that a session id cannot be passed where a model id is
/// expected. They cost nothing at run time and keep the ABI of their underlying type (a function taking a `ModelId`
/// has the selector and encoding of one taking a `uint256`).

/// @notice A model's id in the ModelRegistry (sequential from 1).
type ModelId is uint256;

/// @notice A session's id in the InferenceLedger (sequential from 1).
type SessionId is uint256;

/// @notice A compute-insurance policy's id (0 = uninsured).
type PolicyId is uint256;

/// @notice A lending market's id: keccak256 of its abi-encoded `MarketParams` (as Morpho Blue's `Id`).
type MarketId is bytes32;

using {_modelIdEquals as ==} for ModelId global;
using {_sessionIdEquals as ==} for SessionId global;
using {_policyIdEquals as ==} for PolicyId global;
using {_marketIdEquals as ==} for MarketId global;

function _modelIdEquals(ModelId a, ModelId b) pure returns (bool) {
    return ModelId.unwrap(a) == ModelId.unwrap(b);
}

function _sessionIdEquals(SessionId a, SessionId b) pure returns (bool) {
    return SessionId.unwrap(a) == SessionId.unwrap(b);
}

function _policyIdEquals(PolicyId a, PolicyId b) pure returns (bool) {
    return PolicyId.unwrap(a) == PolicyId.unwrap(b);
}

function _marketIdEquals(MarketId a, MarketId b) pure returns (bool) {
    return MarketId.unwrap(a) == MarketId.unwrap(b);
}
