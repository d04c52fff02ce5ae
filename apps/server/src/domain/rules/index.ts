// Every card rule, as pure functions: no I/O, no clock, no randomness. The service runs them for
// both storage engines, inside each adapter's atomic section.

export {
  changePasswordFields,
  checkUser,
  checkUserHeartbeat,
  decideRecharge,
  decideUserLogin,
  registerFields,
  type UserLoginBody,
  type UserLoginDecision,
  type UserLoginInput,
  userHeartbeatFields,
  userLoginFields,
  userPassFields,
  userRechargeFields,
  userTermRefusal,
  userValidity,
} from './account';
export { decideDelete, decideDisable, decideExpiry, decideOperatorUnbind, type ExpiryRefusal } from './admin';
export {
  autographField,
  coreOf,
  coreValue,
  decideIpUnbind,
  decideKamiRecharge,
  decideModifyCore,
  decideSelfDisable,
  matchAppSignature,
  rechargeFields,
  statecodeField,
} from './card-endpoints';
export {
  type CardPhase,
  cardPhase,
  checkExists,
  fail,
  isExhausted,
  isExpired,
  POTATO_STATE,
  potatoState,
  queryState,
  validity,
  wireId,
} from './card-state';
export { credentialFields } from './credential';
export { checkHeartbeat, heartbeatOk } from './heartbeat';
export { ipBindingOf, ipBindingRefusal } from './ip-binding';
export { decideLogin, type LoginDecision, type LoginInput } from './login';
export { mayCreateCardsByApi } from './potato';
export { queryBody } from './query';
export {
  cardField,
  endpointRefusal,
  heartbeatFields,
  isLatestVersion,
  loginFields,
  replayCheckApplies,
  tokenSignText,
  unbindFields,
  versionField,
} from './requests';
export { decideUnbind, unbindDevice, unbindIp } from './unbind';
export { checkUsableCard, findVariable, variableWrite } from './variables';
