// Generated with lightgbm 4.7.0 (see LightGBMSmallModels.swift); expected = Booster.predict(rows).
extension LightGBMSmallModels {
    static let objectives: [Case] = [
        Case(name: "ova", expected: [0.26367047366476837, 0.42704884104495194, 0.23509740287124475, 0.26367047366476837, 0.42704884104495194, 0.23509740287124475, 0.26367047366476837, 0.42704884104495194, 0.23509740287124475, 0.26367047366476837, 0.42704884104495194, 0.23509740287124475, 0.4179415692513547, 0.3394296333096909, 0.23509740287124475, 0.26367047366476837, 0.42704884104495194, 0.37726416172527427, 0.26367047366476837, 0.42704884104495194, 0.23509740287124475, 0.26367047366476837, 0.42704884104495194, 0.23509740287124475], shape: [8, 3], text: """
tree
num_class=3
num_tree_per_iteration=3
label_index=0
max_feature_idx=2
objective=multiclassova num_class:3 sigmoid:0.8
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] [0:4]

Tree=0
num_leaves=2
num_cat=0
split_feature=1
threshold=-0.3597127644991
decision_type=2
left_child=-1
right_child=-2
leaf_value=-0.66658569025905612 -1.1314285391910679
is_linear=0
shrinkage=1

Tree=1
num_leaves=2
num_cat=0
split_feature=1
threshold=-0.51561694485733855
decision_type=2
left_child=-1
right_child=-2
leaf_value=-0.64542468213952242 -0.41524040017758423
is_linear=0
shrinkage=1

Tree=2
num_leaves=2
num_cat=0
split_feature=1
threshold=0.25256844327253164
decision_type=2
left_child=-1
right_child=-2
leaf_value=-1.3310523201826485 -0.87506656293333518
is_linear=0
shrinkage=1

Tree=3
num_leaves=2
num_cat=0
split_feature=1
threshold=-0.3597127644991
decision_type=2
left_child=-1
right_child=-2
leaf_value=0.2525491866419543 -0.15229349437785381
is_linear=0
shrinkage=0.1

Tree=4
num_leaves=2
num_cat=0
split_feature=1
threshold=-0.72943436151487007
decision_type=2
left_child=-1
right_child=-2
leaf_value=-0.18687156025628027 0.04786279126475558
is_linear=0
shrinkage=0.1

Tree=5
num_leaves=2
num_cat=0
split_feature=1
threshold=0.25256844327253164
decision_type=2
left_child=-1
right_child=-2
leaf_value=-0.14363342123154052 0.24859559174695445
is_linear=0
shrinkage=0.1

end of trees
"""),
        Case(name: "binary07", expected: [0.4187843522522336, 0.4664798442333202, 0.4664798442333202, 0.5085339234776399, 0.46400015374591885, 0.5886278043385867, 0.5473265581265884, 0.5085339234776399], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=binary sigmoid:0.7
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] [0:4]

Tree=0
num_leaves=3
num_cat=0
split_feature=1 0
threshold=-0.15208808292265261 -1.0000000180025095e-35
decision_type=2 10
left_child=-1 -2
right_child=1 -3
leaf_value=-0.23129250856632835 0.045112780308602753 0.28571427528781751
is_linear=0
shrinkage=0.1

Tree=1
num_leaves=3
num_cat=0
split_feature=1 0
threshold=0.028611466840654885 0.50805731692666756
decision_type=2 10
left_child=1 -1
right_child=-2 -3
leaf_value=-0.23694426215119196 0.2261366997404172 0.025222521914618976
is_linear=0
shrinkage=0.1

end of trees
"""),
        Case(name: "sqrt", expected: [-0.0351515136637231, 0.004135412901246425, 0.004135412901246425, 0.004135412901246425, -0.0351515136637231, 0.07967565556335277, 0.004135412901246425, 0.004135412901246425], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=regression sqrt
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] [0:4]

Tree=0
num_leaves=3
num_cat=0
split_feature=1 1
threshold=-0.17981764715774892 0.25256844327253164
decision_type=2 2
left_child=-1 -2
right_child=1 -3
leaf_value=-0.087121435621822327 0.041968822624042348 0.15748322489360969
is_linear=0
shrinkage=1

Tree=1
num_leaves=3
num_cat=0
split_feature=1 1
threshold=-0.15208808292265261 0.43384624365660102
decision_type=2 2
left_child=-1 -2
right_child=1 -3
leaf_value=-0.10036593372268338 0.022338353501538101 0.12478553987385935
is_linear=0
shrinkage=0.1

end of trees
"""),
        Case(name: "poisson", expected: [1.542110509947288, 1.542110509947288, 1.542110509947288, 1.542110509947288, 1.7804861255447608, 1.542110509947288, 1.542110509947288, 1.542110509947288], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=poisson
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] [0:4]

Tree=0
num_leaves=3
num_cat=0
split_feature=1 1
threshold=1.1973704649771999 -1.6624585367215159
decision_type=2 2
left_child=1 -1
right_child=-2 -3
leaf_value=0.54534073875562283 0.52846003302962197 0.44970238409679986
is_linear=0
shrinkage=1

Tree=1
num_leaves=3
num_cat=0
split_feature=1 1
threshold=1.4294846304160822 -0.84574412804557786
decision_type=2 2
left_child=1 -1
right_child=-2 -3
leaf_value=0.031545692500826499 0.064269802407109264 -0.016550444891110083
is_linear=0
shrinkage=0.1

end of trees
"""),
        Case(name: "xentlambda", expected: [0.4549535688186756, 0.5703247996406412, 0.5703247996406412, 0.5703247996406412, 0.4549535688186756, 0.6235735279617183, 0.5703247996406412, 0.509126924428238], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=cross_entropy_lambda
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] [0:4]

Tree=0
num_leaves=3
num_cat=0
split_feature=1 1
threshold=-0.17981764715774892 0.43384624365660102
decision_type=2 2
left_child=-1 -2
right_child=1 -3
leaf_value=-0.49502777415607147 -0.35327138025338789 -0.234753084278542
is_linear=0
shrinkage=1

Tree=1
num_leaves=3
num_cat=0
split_feature=1 1
threshold=-1.0000000180025095e-35 0.92103259335723398
decision_type=2 2
left_child=-1 -2
right_child=1 -3
leaf_value=-0.056445898945593598 0.090400908068036953 0.20212685301775168
is_linear=0
shrinkage=0.1

end of trees
"""),
    ]
}
