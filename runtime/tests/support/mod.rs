//! A hand-written `Endpoint` enum shaped like what `include_limits!` will generate from
//! `specs/rongcloud-server.md`; generated code replaces it once the macro exists.
#![allow(dead_code)]

use ratespec::{Bucket, Endpoints, Per, Window};

/// A few RongCloud endpoints with their documented limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Endpoint {
    /// 注册用户 `/user/getToken.json`: 200 次/每秒，可调频.
    UserGetToken,
    /// 发送单聊消息 `/message/private/publish.json`: 6000 条消息/每分钟，按收件人数量计算条数.
    MessagePrivatePublish,
    /// 发送全量用户不落地通知 `/push.json`: 2 次/每小时，3 次/每自然日（共享）.
    Push,
    /// 设置聊天室属性（KV） `/chatroom/entry/set.json`: 100 个属性/每秒（共享）.
    ChatroomEntrySet,
    /// 批量设置聊天室属性（KV） `/chatroom/entry/batch/set.json`: 100 个属性/每秒（共享）.
    ChatroomEntryBatchSet,
}

impl Endpoints for Endpoint {
    const PROVIDER: &'static str = "rongcloud";
    const ALL: &'static [Self] = &[
        Endpoint::UserGetToken,
        Endpoint::MessagePrivatePublish,
        Endpoint::Push,
        Endpoint::ChatroomEntrySet,
        Endpoint::ChatroomEntryBatchSet,
    ];
    const BUCKETS: &'static [Bucket] = &[
        Bucket {
            name: "user_get_token",
            windows: &[Window {
                max: 200,
                per: Per::Second,
            }],
        },
        Bucket {
            name: "message_private_publish",
            windows: &[Window {
                max: 6000,
                per: Per::Minute,
            }],
        },
        Bucket {
            name: "push",
            windows: &[
                Window {
                    max: 2,
                    per: Per::Hour,
                },
                Window {
                    max: 3,
                    per: Per::Day,
                },
            ],
        },
        Bucket {
            name: "chatroom_entry_set",
            windows: &[Window {
                max: 100,
                per: Per::Second,
            }],
        },
    ];
    /// Beijing time: 自然日 turns at 00:00 UTC+8.
    const UTC_OFFSET_SECS: i32 = 8 * 3600;

    fn index(self) -> usize {
        self as usize
    }

    fn bucket(self) -> usize {
        match self {
            Endpoint::UserGetToken => 0,
            Endpoint::MessagePrivatePublish => 1,
            Endpoint::Push => 2,
            Endpoint::ChatroomEntrySet | Endpoint::ChatroomEntryBatchSet => 3,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Endpoint::UserGetToken => "UserGetToken",
            Endpoint::MessagePrivatePublish => "MessagePrivatePublish",
            Endpoint::Push => "Push",
            Endpoint::ChatroomEntrySet => "ChatroomEntrySet",
            Endpoint::ChatroomEntryBatchSet => "ChatroomEntryBatchSet",
        }
    }
}

/// 2024-03-01T00:00:00+08:00 (Beijing midnight) in Unix milliseconds.
pub const BEIJING_MIDNIGHT: u64 = 1_709_222_400_000;
/// One hour in milliseconds.
pub const HOUR: u64 = 3_600_000;
/// One day in milliseconds.
pub const DAY: u64 = 86_400_000;
